"""The provider's directory: the demo's people, one who is not in the HR data, one password."""

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - the demo's published password

# (employee number = username, e-mail, family name, given name, signs in with a second factor)
DEMO_PEOPLE = [
    ("M100001", "sales@example.jp", "八木", "美咲", False),
    ("M100002", "cc@example.jp", "千田", "翔太", False),
    ("T100003", "temp@example.jp", "三浦", "彩", False),
    ("C100004", "contractor@example.jp", "小野寺", "大輔", False),
    ("M100010", "manager@example.jp", "東山", "健一", False),
    ("M100005", "compliance@example.jp", "佐藤", "律子", True),
    ("M100006", "handler@example.jp", "高橋", "誠", True),
    ("M100007", "admin@example.jp", "伊藤", "拓海", True),
    # Known to the provider, unknown to the portal's HR data.
    ("X900001", "stranger@example.jp", "外山", "一郎", False),
]

CLIENT_ID = "conduct-portal"
CLIENT_SECRET = "conduct-portal-demo-secret"  # noqa: S105 - test provider
# The portal's provider id (PORTAL_OIDC_PROVIDERS) and so its callback path.
PORTAL_PROVIDER_ID = "demo"
