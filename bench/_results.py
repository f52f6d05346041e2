"""Every bench's last step: print its table and save it as bench/results/<name>."""
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(name: str, text: str, *, title: str = "") -> None:
    print(text)
    RESULTS.mkdir(exist_ok=True)
    body = (f"# {title}\n\n" if title else "") + text
    (RESULTS / name).write_text(body if body.endswith("\n") else body + "\n")
