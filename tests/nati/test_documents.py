import io

from pypdf import PdfReader

from nati.documents import csv_bytes, pdf_render


def test_csv_is_semicolon_utf8_with_bom_and_neutralises_formulas():
    data = csv_bytes(["Nom", "Note"], [["Pūtai", "=1+1"], ["Chan", "-2"]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Nom;Note", "Pūtai;'=1+1", "Chan;'-2"]


def test_pdf_is_rendered_by_weasyprint_and_reads_back(db):
    pdf = pdf_render("403.html", {"app": None})
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Accès refusé" in text
