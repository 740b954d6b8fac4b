"""Choosing quiz answers as a person who knows the demo content would (tests only)."""

QUESTIONS = """() => Array.from(document.querySelectorAll("fieldset.question")).map(f => ({
  legend: f.querySelector("legend").textContent.trim(),
  choices: Array.from(f.querySelectorAll("input")).map(i => ({
    id: i.id, label: (document.querySelector(`label[for="${i.id}"]`) || {}).textContent.trim(),
  })),
}))"""


def _bank_questions():
    from quizzes.demo import BANKS

    for bank in BANKS:
        yield from bank.get("questions", [])


def answer_ids(page, *, right: bool) -> list[list[str]]:
    """Per question on the page, the ids of the inputs to tick: the right answers, or one wrong one."""
    chosen = []
    for shown in page.evaluate(QUESTIONS):
        labels = {c["label"] for c in shown["choices"]}
        spec = next(
            s for s in _bank_questions() if s["text"] in shown["legend"] and {c["text"] for c in s["choices"]} == labels
        )
        wanted = {c["text"] for c in spec["choices"] if c["correct"] == right}
        ids = [c["id"] for c in shown["choices"] if c["label"] in wanted]
        chosen.append(ids if right else ids[:1])
    return chosen
