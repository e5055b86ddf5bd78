"""Diagnosis General Equivalence Mappings (GEMs) between ICD-9-CM and ICD-10-CM.

Reads two layouts of the same content:
- the NBER CSV edition (a header row naming the columns: `icd10cm,icd9cm,flags,...`
  or `icd9cm,icd10cm,flags,...`), which the bundled files use;
- the CMS original text (`2018_I10gem.txt`, `2018_I9gem.txt`): `source target flags`
  separated by spaces, no header.

The five flag digits are: approximate, no map, combination, scenario, choice list. The
`icd10` column of each mapping holds the ICD-10-CM side in canonical dotted form so a
code page finds both directions with one indexed lookup.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from codes.models import GemMapping, Release

from .base import ImportFileError, Progress, batched, open_text, register_release, write_rows
from .msdrg import icd10cm_dotted

DATASET = "gems"
VERSION = "2018"
NO_MAP = "NoDx"

_CODE = re.compile(r"^[A-Z0-9]{3,7}$")
_FLAGS = re.compile(r"^[01][01][01][0-9][0-9]$")


def icd9_dotted(code: str) -> str:
    """ICD-9-CM diagnosis codes as usually written: '0010' -> '001.0', 'V0481' -> 'V04.81',
    'E8140' -> 'E814.0'. 'NoDx' and codes without decimals stay as they are."""
    if code == NO_MAP:
        return code
    head = 4 if code.startswith("E") else 3
    return f"{code[:head]}.{code[head:]}" if len(code) > head else code


@dataclass
class Gem:
    source: str
    target: str
    flags: str


def _read_rows(path: Path | str, direction: str):
    """Yield (line, source, target, flags) from a CSV or CMS text GEM file."""
    expected = ["icd10cm", "icd9cm"] if direction == GemMapping.Direction.TO_ICD9 else ["icd9cm", "icd10cm"]
    with open_text(path, encoding="latin-1") as f:
        first = f.readline()
        if "," in first:
            header = [cell.strip().lower() for cell in next(csv.reader([first]))]
            if header[:2] != expected or "flags" not in header:
                raise ImportFileError(
                    path,
                    1,
                    f"expected a header starting {','.join(expected)} with a flags column, got {first.strip()[:60]!r}",
                )
            flag_col = header.index("flags")
            reader = csv.reader(f)
            for cells in reader:
                line = reader.line_num + 1  # the header was read before the reader started
                if not cells:
                    continue
                if len(cells) <= flag_col:
                    raise ImportFileError(
                        path,
                        line,
                        f"expected {len(header)} columns, found {len(cells)}",
                    )
                yield line, cells[0].strip(), cells[1].strip(), cells[flag_col].strip()
        else:
            for number, raw in enumerate([first, *f], start=1):
                if not raw.strip():
                    continue
                parts = raw.split()
                if len(parts) != 3:
                    raise ImportFileError(
                        path,
                        number,
                        f"expected 'source target flags', got {raw.strip()[:60]!r}",
                    )
                yield number, *parts


def parse_gem(*, path: Path | str, direction: str) -> list[Gem]:
    """One GEM file of the given direction ('10to9' or '9to10')."""
    gems = []
    for line, source, target, flags in _read_rows(path, direction):
        if not _CODE.match(source):
            raise ImportFileError(path, line, f"{source!r} is not a diagnosis code")
        if not _FLAGS.match(flags):
            raise ImportFileError(path, line, f"{flags!r} is not five GEM flag digits")
        no_map = flags[1] == "1"
        if no_map != (target == NO_MAP) or (not no_map and not _CODE.match(target)):
            raise ImportFileError(
                path,
                line,
                f"target {target!r} does not agree with the no-map flag in {flags}",
            )
        # ICD-10-CM codes start with a letter, most ICD-9-CM codes with a digit: this catches
        # the two text files (which have no header) given the wrong way round.
        icd10 = source if direction == GemMapping.Direction.TO_ICD9 else target
        if not no_map and not icd10[0].isalpha():
            raise ImportFileError(
                path,
                line,
                f"{icd10!r} is not an ICD-10-CM code: is this the other GEM file?",
            )
        gems.append(Gem(source=source, target=target, flags=flags))
    if not gems:
        raise ImportFileError(path, None, "no mappings")
    return gems


# The columns of a mapping row, in the order _mapping gives them.
MAPPING_COLUMNS = [
    "direction", "source", "target", "icd10", "approximate", "no_map", "combination", "scenario", "choice_list",
    "release_id",
]  # fmt: skip


def _mapping(gem: Gem, direction: str, release_id: int) -> tuple:
    """A GemMapping row as a plain tuple of MAPPING_COLUMNS (100,000 model instances took a second)."""
    icd10 = gem.source if direction == GemMapping.Direction.TO_ICD9 else gem.target
    return (
        direction,
        gem.source,
        gem.target,
        "" if icd10 == NO_MAP else icd10cm_dotted(icd10),
        gem.flags[0] == "1",  # approximate
        gem.flags[1] == "1",  # no map
        gem.flags[2] == "1",  # combination
        int(gem.flags[3]),  # scenario
        int(gem.flags[4]),  # choice list
        release_id,
    )


def import_gems(
    *, to_icd9: Path | str, to_icd10: Path | str, stdout=None, verbosity: int = 1
) -> tuple[Release, dict[str, int]]:
    """Replace all GEM mappings with the two files' rows, in one transaction."""
    files = {
        GemMapping.Direction.TO_ICD9: to_icd9,
        GemMapping.Direction.TO_ICD10: to_icd10,
    }
    parsed = {direction: parse_gem(path=path, direction=direction) for direction, path in files.items()}
    total = sum(len(gems) for gems in parsed.values())
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=VERSION,
            title="ICD-10-CM/ICD-9-CM diagnosis General Equivalence Mappings (2018)",
            path=to_icd9,
            source=(
                "CMS 2018 diagnosis GEMs (2018_I10gem.txt, 2018_I9gem.txt), NBER CSV edition "
                f"({Path(to_icd9).name}, {Path(to_icd10).name})"
            ),
            effective_date=datetime.date(2017, 10, 1),
        )
        GemMapping.objects.all().delete()
        progress = Progress("GEM mappings", total, stdout=stdout, verbosity=verbosity, every=50000)
        for direction, gems in parsed.items():
            for batch in batched(gems):
                write_rows(GemMapping, MAPPING_COLUMNS, (_mapping(gem, direction, release.pk) for gem in batch))
                progress.advance(len(batch))
        progress.finish()
        release.row_count = total
        release.save(update_fields=["row_count"])
    return release, {direction: len(gems) for direction, gems in parsed.items()}
