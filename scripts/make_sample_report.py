"""Write resources/samples/harbour-inspection-report.pdf (run once; the PDF is committed).

The report is fictional and marked as a sample in its title, heading and last line. Qt's PDF
writer is used, so the sample needs no tool beyond Dossier's own dependencies.
Run: ``python scripts/make_sample_report.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

OUT = Path(__file__).resolve().parents[1] / "resources" / "samples" / \
    "harbour-inspection-report.pdf"

HTML = """
<h1>SAMPLE REPORT — fictional, for practice only</h1>
<h2>Port Calder Labour Inspectorate: preliminary findings on the Bright Harbour Overseas
Employment Programme</h2>
<p><i>Everything in this document is invented. It is shipped with Dossier so that new users can
practise highlighting and tagging.</i></p>
<h3>1. Scope</h3>
<p>Between 3 and 21 February 2025 inspectors visited two dormitories and the Calder North
shipyard, where 214 workers recruited under the programme are employed through Ostmark Labour
Services. Forty-one workers were interviewed in private, with interpreters.</p>
<h3>2. Identity documents</h3>
<p>Thirty-six of the forty-one workers said their passports had been collected on arrival. The
inspectors found 198 passports in a locked cabinet in the Ostmark site office. The site manager
said the documents were held "at the workers' request"; no signed requests were produced.</p>
<h3>3. Wages</h3>
<p>Payslips show a gross monthly wage of 1,400 dollars. On average 62 per cent of each payment is
transferred to savings accounts in the name of Ostmark Labour Services. Workers receive the
remainder in cash. None of the workers interviewed had been able to withdraw money from the
savings accounts.</p>
<h3>4. Recruitment fees</h3>
<p>Twenty-eight workers reported paying fees of between 400 and 900 dollars to brokers in their
home country, although the government-to-government agreement of 2019 forbids charging fees to
workers.</p>
<h3>5. Working hours</h3>
<p>Time sheets for January record shifts of twelve hours, six days a week. Overtime pay was not
shown on any payslip.</p>
<h3>6. Next steps</h3>
<p>The inspectorate has asked Ostmark Labour Services to return all passports within seven days
and to provide statements for every savings account. A final report is expected in June.</p>
<p><b>SAMPLE — fictional document. Not a real inspection.</b></p>
"""


def main() -> int:
    """Write the sample PDF."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    writer = QPdfWriter(str(OUT))
    writer.setTitle("SAMPLE: Port Calder Labour Inspectorate preliminary findings (fictional)")
    writer.setCreator("Dossier sample generator")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(20, 20, 20, 20),
                                     QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # fonts in points at the writer's resolution
    font = QFont("DejaVu Serif")
    font.setPointSizeF(12)
    doc.setDefaultFont(font)
    doc.setHtml(HTML)
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    doc.print_(writer)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
