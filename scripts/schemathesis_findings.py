"""Reads schemathesis' JUnit report and fails on any finding but the state-dependent ones below.

Each allowed finding is a refusal that is right for the state earlier generated requests left
(or for the clock, or for a rule between fields), which a schema cannot describe: the document is
exact, the data changed under it.
"""

import re
import sys
import xml.etree.ElementTree as ElementTree

ALLOWED = [
    ("ST202", "Customer with this email already exists", "an earlier request created a customer with this email"),
    ("ST202", "A user with this email already exists.", "an earlier request created a user with this email"),
    ("ST202", "This Idempotency-Key was already used for a different request.", "the generated key was used before"),
    ("ST202", "Owners cannot deactivate or demote themselves.", "the generated user id is the caller's own"),
    ("ST302", "Idempotency-Key", "a retried create replays the first answer, whose customer was deleted since"),
    ("ST202", "This order has already been fully refunded.", "an earlier request refunded the generated order"),
    ("ST202", '{"amount":["Ensure this value is less than or equal to', "earlier refunds left less of the order"),
    ("ST202", "minutes in the future.", "a generated order date lies ahead of the server's clock"),
    ("ST202", "must start above", "each tier above the one before: a rule between fields JSON Schema cannot state"),
    ("ST202", "Your current password is not correct.", "the caller's password is not in the document, so a generated one is wrong"),
    ("ST202", "This password is too common.", "the 1,000 most common passwords are refused: a list no schema holds"),
    ("ST202", "Too many attempts.", "earlier generated sign-ins failed and are counted"),
    ("ST202", "The file is empty", "an import file needs a header row: what a CSV must hold is no JSON Schema"),
    ("ST202", "The file has no", "an import file needs name and email columns: what a CSV must hold is no JSON Schema"),
    ("ST202", "is never closed", "a CSV cell's quotes must pair up: what a CSV must hold is no JSON Schema"),
    ("ST202", '"duplicates_in_file"', "an import's rows are checked as customers: the report refuses bad rows"),
    ("ST202", "A customer cannot be merged into itself.", "the generated ids hold the id in the path: a rule between path and body"),
    ("ST202", "This merge has already been undone.", "an earlier request undid the generated merge"),
    ("ST202", "can no longer be undone", "the survivor spent the merged points, or the merge is older than 30 days"),
    ("ST202", "now has the email of a merged customer", "an earlier request gave another customer an absorbed customer's email"),
    ("ST202", "more points than one customer can", "the generated customers' balances add up past the limit"),
]


def findings(report):
    """Yields (code, text) for every finding in the report."""
    for failure in ElementTree.parse(report).iter("failure"):
        text = failure.text or ""
        parts = re.split(r"\n(?=- ST\d{3} )", text)
        for part in parts[1:]:
            yield part.split()[1], part


def main(report):
    unexpected = 0
    seen = 0
    for code, text in findings(report):
        seen += 1
        if not any(code == allowed and marker in text for allowed, marker, _ in ALLOWED):
            unexpected += 1
            print(f"unexpected finding {code}:\n{text}\n")
    print(f"schemathesis: {seen} findings, {seen - unexpected} of them state-dependent refusals that are allowed")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
