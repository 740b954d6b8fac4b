"""The portal's date formats (settings.FORMAT_MODULE_PATH): one style per language, whichever
format name a template asks for, so a page never mixes 12/04/2026, Dec. 4, 2026 and 2026年12月4日."""
