"""Runs in the child processes of accounts.letters.letters_pdf: weasyprint
only, no Django (a spawned child has no app registry and needs none)."""


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
