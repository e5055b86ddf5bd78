"""The code sets this site imports, in one table.

Each `Kind` names the file format it reads, the function that imports it and how its
release is named. `manage.py import_codes KIND PATH [options]` runs any kind; the
README's commands (`import_icd10cm`, `import_hcpcs`, ...) are each one kind under its old
name; `load_codesets` runs the bundled files (its `BUNDLE` of steps) through them. What
every run shares (options, one transaction, file-and-line errors, progress, timing) is
`run()`, written once.

Adding a code set is one entry in KINDS (plus one step in load_codesets.BUNDLE if a file of
it is bundled): nothing else learns its name.
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

from codes.models import GemMapping
from codes.search import index_after_import

from . import (
    cdt_codes,
    cpt_codes,
    cpt_descriptors,
    gems,
    guidelines,
    hcpcs,
    icd10cm,
    icd10cm_alphabetic_index,
    icd10cm_index,
    icd10pcs,
    msdrg,
    ncci,
    pfs,
)
from . import plain_language as plain
from .base import ImportFileError, Progress


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Arg:
    """One command-line argument of a kind, as `argparse.add_argument` takes it."""

    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)


def arg(*flags: str, **options) -> Arg:
    return Arg(flags, options)


def version(**options) -> Arg:
    # Both spellings: the ICD and HCPCS commands said --version, the CMS ones --release-version.
    return arg("--version", "--release-version", dest="release_version", **({"help": "release version"} | options))


def effective(**options) -> Arg:
    return arg("--effective", type=iso_date, **({"help": "first day the release is in effect, YYYY-MM-DD"} | options))


def end(**options) -> Arg:
    return arg("--end", type=iso_date, **({"help": "last day the release is in effect, YYYY-MM-DD"} | options))


def setting(*choices: str) -> Arg:
    return arg("--setting", required=True, choices=list(choices), help="the NCCI setting of the file")


@dataclass
class Job:
    """One run of a kind: its parsed arguments, and where to report."""

    options: dict
    stdout: OutputWrapper
    stderr: OutputWrapper
    verbosity: int = 1

    def __getitem__(self, name: str):
        return self.options.get(name)

    def progress(self, label: str, *, every: int = 20000) -> Progress:
        return Progress(label, stdout=self.stdout, verbosity=self.verbosity, every=every)


@dataclass(frozen=True)
class Kind:
    name: str  # what `import_codes` is told, e.g. "icd10cm-tabular"
    label: str
    reads: str  # the file format(s)
    release: str  # how its Release row is named (dataset, version)
    run: Callable[[Job], list[str]]  # imports; returns the summary lines
    arguments: tuple[Arg, ...] = ()  # paths (positional) first, then options

    @property
    def help(self) -> str:
        return f"{self.label}. Reads {self.reads}. Release: {self.release}."


def fiscal_year(job: Job) -> tuple[datetime.date | None, datetime.date | None]:
    """--effective and --end, defaulting to the federal fiscal year named by --version."""
    start, last = job["effective"], job["end"]
    if job["release_version"] and job["release_version"].isdigit():
        year = int(job["release_version"])
        start = start or datetime.date(year - 1, 10, 1)
        last = last or datetime.date(year, 9, 30)
    return start, last


# --- What each kind does with its arguments ---------------------------------------------


def _icd10cm_tabular(job: Job) -> list[str]:
    result = icd10cm.import_tabular(
        path=job["path"],
        version=job["release_version"],
        effective=job["effective"],
        end=job["end"],
        progress=job.progress("codes"),
    )
    return [f"{result.release.title}: {result.sync}", f"{result.billable:,} billable codes, {result.notes:,} notes"]


def _icd10cm_codes(job: Job) -> list[str]:
    start, last = fiscal_year(job)
    release, result, _ = icd10cm.import_codes_file(
        path=job["path"], version=job["release_version"], effective=start, end=last, progress=job.progress("codes")
    )
    return [f"{release.title}: {result}"]


def _icd10cm_index(job: Job) -> list[str]:
    result = icd10cm_index.import_index(path=job["path"], index=job["index"])
    index_after_import("icd-10-cm")  # index terms are search synonyms
    return [
        f"{result.release.title}: {result.terms:,} terms, {result.codes:,} codes, "
        f"{result.invalid:,} not valid in the current release"
    ]


def _icd10cm_alphabetic_index(job: Job) -> list[str]:
    result = icd10cm_alphabetic_index.import_main_index(
        path=job["path"], version=job["release_version"] or "", stdout=job.stdout, verbosity=job.verbosity
    )
    return [
        f"{result.release.title}: {result.terms:,} terms ({result.main_terms:,} main terms), {result.codes:,} codes "
        f"({result.incomplete:,} need more characters, {result.invalid:,} not valid in the current release), "
        f"{result.see_resolved:,} of {result.see_total:,} cross-references resolved to a term"
    ]


def _icd10cm_guidelines(job: Job) -> list[str]:
    result = guidelines.import_cm_guidelines(path=job["path"])
    return [f"{result.title}: {result.sections:,} sections, {result.characters:,} characters of text"]


def _icd10pcs_guidelines(job: Job) -> list[str]:
    result = guidelines.import_pcs_guidelines(path=job["path"], version=job["release_version"] or "")
    return [f"{result.title}: {result.sections:,} sections, {result.characters:,} characters of text"]


def _icd10pcs_tables(job: Job) -> list[str]:
    result = icd10pcs.import_tables(
        path=job["path"], definitions_path=job["definitions"], stdout=job.stdout, verbosity=job.verbosity
    )
    lines = [f"ICD-10-PCS: {result.tables:,} tables, {result.sync}"]
    if result.linked:
        lines.append(f"{result.linked:,} codes of older releases linked to their table")
    if result.definitions is not None:
        lines.append(f"{result.definitions:,} definitions")
    return lines


def _icd10pcs_codes(job: Job) -> list[str]:
    start, last = fiscal_year(job)
    if start is None:
        raise CommandError("--effective is required when --version is not a year")
    result = icd10pcs.import_code_list(
        path=job["path"],
        version=job["release_version"],
        effective_date=start,
        end_date=last,
        stdout=job.stdout,
        verbosity=job.verbosity,
    )
    return [f"ICD-10-PCS FY{job['release_version']}: {result}"]


def _icd10pcs_index(job: Job) -> list[str]:
    terms, invalid = icd10pcs.import_index(path=job["path"], stdout=job.stdout, verbosity=job.verbosity)
    index_after_import("icd-10-pcs")  # index terms are search synonyms
    return [f"ICD-10-PCS index: {terms:,} terms, {invalid:,} references not in the current tables"]


def _hcpcs(job: Job) -> list[str]:
    if not job["path"] and not job["proc_notes"]:
        raise CommandError("give a HCPCS file, --proc-notes files, or both")
    summary = hcpcs.import_hcpcs(
        path=job["path"],
        proc_notes=job["proc_notes"] or [],
        version=job["release_version"],
        effective_date=job["effective"],
        progress=job.progress("HCPCS codes", every=5000),
    )
    lines = []
    if summary.result is not None:
        lines.append(
            f"HCPCS {summary.version}: {summary.codes:,} codes ({summary.terminated:,} terminated), "
            f"{summary.modifiers:,} modifiers ({summary.modifiers_terminated:,} terminated), "
            f"{summary.groups} browse groups"
        )
        lines.append(f"  {summary.result}")
    if summary.notes:
        lines.append(f"Processing notes: {summary.notes:,}")
    return lines


def _pfs(job: Job) -> list[str]:
    if bool(job["gpci"]) != bool(job["localities"]):
        raise CommandError("--gpci and --localities go together")
    release, rvus, places = pfs.import_pfs(
        pprrvu=job["path"],
        gpci=job["gpci"],
        localities=job["localities"],
        version=job["release_version"],
        title=job["title"],
        effective_date=job["effective"],
        end_date=job["end"],
        progress=job.progress("RVU rows"),
    )
    return [f"{release}: {rvus:,} RVU rows, {places:,} localities"]


def _ncci_ptp(job: Job) -> list[str]:
    release, count = ncci.import_ptp(
        path=job["path"],
        setting=job["setting"],
        version=job["release_version"],
        effective_date=job["effective"],
        end_date=job["end"],
        progress=job.progress("PTP edits", every=250000),
    )
    return [f"{release}: {count:,} edits"]


def _ncci_mue(job: Job) -> list[str]:
    release, count = ncci.import_mue(
        path=job["path"],
        setting=job["setting"],
        version=job["release_version"],
        effective_date=job["effective"],
        end_date=job["end"],
        progress=job.progress("MUEs"),
    )
    return [f"{release}: {count:,} MUEs"]


def _ncci_aoc(job: Job) -> list[str]:
    release, count = ncci.import_aoc(
        path=job["path"],
        version=job["release_version"],
        effective_date=job["effective"],
        end_date=job["end"],
        progress=job.progress("add-on edits"),
    )
    return [f"{release}: {count:,} pairs"]


def _cpt_codes(job: Job) -> list[str]:
    result = cpt_codes.import_cpt_codes(
        ranges_path=job["ranges"],
        replacements_path=job["replacements"],
        version=job["release_version"],
        progress=job.progress("CPT codes", every=5000),
    )
    return [f"CPT {result}"]


def _cdt_codes(job: Job) -> list[str]:
    release, result = cdt_codes.import_cdt_codes(progress=job.progress("CDT codes", every=5000))
    return [f"{release.title}: {result}"]


def _cpt_descriptors(job: Job) -> list[str]:
    summary = cpt_descriptors.import_cpt_descriptors(
        path=job["path"], version=job["release_version"], effective_date=job["effective"]
    )
    return [
        f"CPT descriptors {summary.version}: {summary.total:,} codes: {summary.created:,} created, "
        f"{summary.updated:,} updated, {summary.unchanged:,} unchanged"
    ]


def _ms_drg(job: Job) -> list[str]:
    result = msdrg.import_msdrg(
        weights=job["weights"],
        mcc=job["mcc"],
        cc=job["cc"],
        exclusions=job["exclusions"],
        mdc_titles=job["mdc_titles"],
        stdout=job.stdout,
        verbosity=job.verbosity,
    )
    return [
        f"{result.release}: {result.drgs:,} DRGs in {result.mdcs} MDC nodes; {result.codes}",
        f"{result.mcc:,} MCC and {result.cc:,} CC codes; "
        f"{result.exclusion_rows:,} exclusion rows in {result.exclusion_lists:,} PDX lists",
    ]


def _gems(job: Job) -> list[str]:
    release, counts = gems.import_gems(
        to_icd9=job["to_icd9"], to_icd10=job["to_icd10"], stdout=job.stdout, verbosity=job.verbosity
    )
    return [
        f"{release}: {counts[GemMapping.Direction.TO_ICD9]:,} ICD-10-CM to ICD-9-CM and "
        f"{counts[GemMapping.Direction.TO_ICD10]:,} ICD-9-CM to ICD-10-CM mappings"
    ]


def _plain_language(job: Job) -> list[str]:
    paths = [Path(p) for p in job["paths"] or []] or plain.bundled_paths()
    if not paths:
        raise CommandError("no plain-language files given or bundled")
    entries = plain.parse_files(paths=paths)
    lines = [f"Read {len(entries):,} descriptions from {len(paths)} file(s)"]
    result = plain.load_descriptions(entries=entries, paths=paths)
    if result.added or result.updated:  # an unchanged rerun leaves the search index as it is
        for system in {entry.system for entry in entries}:
            index_after_import(system)  # CPT codes are found by their plain-language text
    lines.append(f"Plain-language descriptions: {result}")
    if result.kept and job.verbosity >= 2:
        lines.append("  Kept: " + ", ".join(result.kept))
    for system, codes in result.unknown.items():
        shown = ", ".join(codes[:10]) + (" ..." if len(codes) > 10 else "")
        job.stderr.write(f"Warning: {len(codes):,} {system} codes not in the code table: {shown}")
    return lines


PATH = arg("path")
NCCI_DATES = (version(default=ncci.VERSION), effective(default=ncci.EFFECTIVE), end(default=ncci.END))

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind(
            name="icd10cm-tabular",
            label="ICD-10-CM Tabular List",
            reads="the CDC tabular XML (ICD10CM.tabular, .xml or .xml.gz): chapters, sections, categories and "
            "codes with 7th characters expanded, and every tabular note",
            release="icd-10-cm, version from the file (e.g. 2026-04); codes the release no longer has are "
            "marked deleted",
            run=_icd10cm_tabular,
            arguments=(
                PATH,
                version(help="release version (default: from the file, e.g. 2026-04)"),
                effective(),
                end(),
            ),
        ),
        Kind(
            name="icd10cm-codes",
            label="ICD-10-CM code list of an older fiscal year (history)",
            reads="the CDC code-description text file (icd10cm-codes-YYYY.txt, .gz allowed)",
            release="icd-10-cm, version = the fiscal year (--version 2024); load releases oldest first",
            run=_icd10cm_codes,
            arguments=(PATH, version(required=True, help="fiscal year, e.g. 2024"), effective(), end()),
        ),
        Kind(
            name="icd10cm-index",
            label="ICD-10-CM index table (External Causes, Drugs and Chemicals, Neoplasms)",
            reads="a CDC index XML (ICD10CM.index, .xml or .xml.gz); which table it holds is read from the file",
            release="icd-10-cm-<index>, version from the file; run after icd10cm-tabular",
            run=_icd10cm_index,
            arguments=(PATH, arg("--index", choices=sorted(icd10cm_index.TITLES), help="which index the file holds")),
        ),
        Kind(
            name="icd10cm-alphabetic-index",
            label="ICD-10-CM Alphabetic Index to Diseases and Injuries (the main index)",
            reads="the CDC index XML (ICD10CM.index, .xml or .xml.gz) or the flattened CSV (RowID, Letter, Level, "
            "Term, See, SeeAlso, NonEssModif, Code; .csv or .csv.gz); each code is resolved against the tabular",
            release="icd-10-cm-main-index, version from the file (XML) or its name (CSV, e.g. fy2025); run after "
            "icd10cm-tabular",
            run=_icd10cm_alphabetic_index,
            arguments=(PATH, version(help="fiscal year (default: from the file or its name)")),
        ),
        Kind(
            name="icd10cm-guidelines",
            label="ICD-10-CM Official Guidelines for Coding and Reporting",
            reads="the text layer of the NCHS/CMS PDF (page by page, with its 'Page N of M' running headers; .txt "
            "or .txt.gz)",
            release="icd-10-cm-guidelines, version = the fiscal year on its first page",
            run=_icd10cm_guidelines,
            arguments=(PATH,),
        ),
        Kind(
            name="icd10pcs-guidelines",
            label="ICD-10-PCS Official Guidelines for Coding and Reporting",
            reads="a TSV of paragraphs (paragraph, section, topic, text with newlines as \\n; .tsv or .tsv.gz)",
            release="icd-10-pcs-guidelines, version = --version or the year in the file name",
            run=_icd10pcs_guidelines,
            arguments=(PATH, version(help="fiscal year (default: from the file name)")),
        ),
        Kind(
            name="icd10pcs-tables",
            label="ICD-10-PCS Tables (and Definitions)",
            reads="the CMS tables XML (ICD10PCS.tabular); --definitions the definitions XML (ICD10PCS.definitions)",
            release="icd-10-pcs, version = the fiscal year in the file",
            run=_icd10pcs_tables,
            arguments=(
                arg("path", help="icd10pcs_tables_YYYY.xml (or .xml.gz)"),
                arg("--definitions", help="icd10pcs_definitions_YYYY.xml (or .xml.gz)"),
            ),
        ),
        Kind(
            name="icd10pcs-codes",
            label="ICD-10-PCS code list of an older fiscal year (history)",
            reads="the CMS code list (icd10pcs-codes-YYYY.txt: code and long title, .gz allowed)",
            release="icd-10-pcs, version = the fiscal year (--version 2024); load before icd10pcs-tables",
            run=_icd10pcs_codes,
            arguments=(PATH, version(required=True, help="fiscal year, e.g. 2024"), effective(), end()),
        ),
        Kind(
            name="icd10pcs-index",
            label="ICD-10-PCS Index",
            reads="the CMS index XML (ICD10PCS.index)",
            release="icd-10-pcs-index, version from the file; run after icd10pcs-tables",
            run=_icd10pcs_index,
            arguments=(PATH,),
        ),
        Kind(
            name="hcpcs",
            label="HCPCS Level II codes and modifiers",
            reads="the CMS quarterly workbook (HCPC2026_JAN_ANWEB.xlsx) or the 320-byte record text file "
            "(HCPC2020_ANWEB_w_disclaimer.txt[.gz]); --proc-notes the processing notes (CMS text or note<TAB>text)",
            release="hcpcs, version from the file name (e.g. 2025-10); load older releases first",
            run=_hcpcs,
            arguments=(
                arg("path", nargs="?", help="HCPCS workbook (.xlsx) or ANWEB text file"),
                arg("--proc-notes", nargs="+", default=[], metavar="FILE", help="processing-note files (later win)"),
                version(help="release version (default: from the file name, e.g. 2025-10)"),
                effective(help="effective date YYYY-MM-DD (default: from the file name)"),
            ),
        ),
        Kind(
            name="pfs",
            label="Medicare Physician Fee Schedule RVUs, GPCIs and localities",
            reads="the CMS PPRRVU file as CSV with a header row (the description column is ignored); --gpci the "
            "GPCI CSV and --localities the LOCCO CSV",
            release="pfs, version = year and month of the CMS release (2026-04 = RVU26B); one release a year is kept",
            run=_pfs,
            arguments=(
                arg("path", help="PPRRVU CSV file (.csv or .csv.gz)"),
                arg("--gpci", help="GPCI CSV file"),
                arg("--localities", help="locality (LOCCO) CSV file"),
                version(help="release version (default: from the CMS file name, e.g. 2026-04 for PPRRVU26_APR)"),
                arg("--title", help="release title (default: from the file name)"),
                effective(help="first day in effect (default: from the file name)"),
                end(help="last day in effect (default: December 31 of its year)"),
            ),
        ),
        Kind(
            name="ncci-ptp",
            label="NCCI procedure-to-procedure edits",
            reads="tab-separated edits (column1, column2, deletion_date with * = in effect, modifier_indicator, "
            "ptp_edit_rationale; .gz allowed)",
            release="ncci-ptp-<setting>, version = the quarter (e.g. 2024Q3)",
            run=_ncci_ptp,
            arguments=(PATH, setting("practitioner", "outpatient"), *NCCI_DATES),
        ),
        Kind(
            name="ncci-mue",
            label="NCCI medically unlikely edits",
            reads="tab-separated MUEs (hcpcs_code, <setting>_mue, mai, mue_rationale; .gz allowed)",
            release="ncci-mue-<setting>, version = the quarter (e.g. 2024Q3)",
            run=_ncci_mue,
            arguments=(PATH, setting("practitioner", "outpatient", "dme"), *NCCI_DATES),
        ),
        Kind(
            name="ncci-aoc",
            label="NCCI add-on code edits",
            reads="tab-separated pairs (add_on_code, primary_code with CCCCC = no specific primary, aoc_edit_type)",
            release="ncci-aoc, version = the quarter (e.g. 2024Q3)",
            run=_ncci_aoc,
            arguments=(PATH, *NCCI_DATES),
        ),
        Kind(
            name="cpt-codes",
            label="CPT code numbers from the CMS files",
            reads="no file of its own: the codes named by the fee schedule and NCCI tables already loaded, with "
            "our ranges (--ranges) and replacements (--replacements) tables",
            release=f"cpt, version {cpt_codes.VERSION}; run after pfs and ncci-*",
            run=_cpt_codes,
            arguments=(
                arg("--ranges", help="range table (default fixtures/cpt/ranges.tsv)"),
                arg("--replacements", help="replacement table (default fixtures/cpt/replacements.tsv)"),
                version(default=cpt_codes.VERSION),
            ),
        ),
        Kind(
            name="cdt-codes",
            label="CDT (dental) code numbers from the fee schedule",
            reads="no file of its own: the D codes of the current fee schedule already loaded",
            release="cdt-codes, version = the fee schedule's; run after pfs and hcpcs",
            run=_cdt_codes,
        ),
        Kind(
            name="cpt-descriptors",
            label="CPT descriptors (AMA licensed content: load only a file your licence covers; never commit it)",
            reads="a licensee's tab-delimited AMA data file (code<TAB>descriptor)",
            release="cpt-descriptors, version default the file name",
            run=_cpt_descriptors,
            arguments=(
                arg("path", help="descriptor file (.txt or .txt.gz)"),
                version(help="release version (default: the file name)"),
                effective(),
            ),
        ),
        Kind(
            name="ms-drg",
            label="MS-DRGs with the CC/MCC lists and CC exclusions",
            reads="the CMS IPPS Final Rule tables 5 (--weights), 6I (--mcc), 6J (--cc) and 6K (--exclusions), "
            "as CMS ships them (.gz allowed)",
            release="ms-drg, version from the fiscal year in Table 5's title (FY2026 = v43.0)",
            run=_ms_drg,
            arguments=(
                arg("--weights", required=True, help="Table 5"),
                arg("--mcc", required=True, help="Table 6I, complete MCC list"),
                arg("--cc", required=True, help="Table 6J, complete CC list"),
                arg("--exclusions", required=True, help="Table 6K, complete list of CC exclusions"),
                arg("--mdc-titles", default=str(msdrg.MDC_TITLES), help="TSV of MDC titles (default: %(default)s)"),
            ),
        ),
        Kind(
            name="gems",
            label="ICD-9-CM / ICD-10-CM General Equivalence Mappings",
            reads="the NBER CSV edition or the CMS text files of both directions (.gz allowed)",
            release=f"gems, version {gems.VERSION}",
            run=_gems,
            arguments=(
                arg("--to-icd9", required=True, help="ICD-10-CM to ICD-9-CM GEM"),
                arg("--to-icd10", required=True, help="ICD-9-CM to ICD-10-CM GEM"),
            ),
        ),
        Kind(
            name="plain-language",
            label="Plain-language descriptions",
            reads="JSON lines (system, code, short_title, author, text, sources, reviewed); without paths, every "
            "fixtures/plain_language/*.jsonl. Rows an editor has changed or withdrawn in the admin are left alone",
            release="plain-language, one per file",
            run=_plain_language,
            arguments=(arg("paths", nargs="*", help="JSONL files (default: the bundled ones)"),),
        ),
    ]
}


def add_arguments(parser: argparse.ArgumentParser, kind: Kind) -> None:
    for argument in kind.arguments:
        parser.add_argument(*argument.flags, **argument.options)


def run(kind: Kind, *, options: dict, stdout: OutputWrapper, stderr: OutputWrapper) -> None:
    """Import one kind's files in one transaction; a bad file is a CommandError naming file and line."""
    verbosity = options.get("verbosity", 1)
    job = Job(options=options, stdout=stdout, stderr=stderr, verbosity=verbosity)
    started = time.monotonic()
    try:
        with transaction.atomic():
            lines = kind.run(job)
    except ImportFileError as exc:
        raise CommandError(str(exc)) from exc
    if verbosity >= 1:
        for line in lines:
            stdout.write(line)
        stdout.write(f"  {kind.label}: {time.monotonic() - started:.1f} s")


class KindCommand(BaseCommand):
    """A management command that imports one kind (the README's `import_hcpcs` etc.)."""

    kind: str

    @property
    def help(self) -> str:
        return KINDS[self.kind].help

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the release here; Django's own --version (its version number) is left out.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        add_arguments(parser, KINDS[self.kind])

    def handle(self, *args, **options):
        run(KINDS[self.kind], options=options, stdout=self.stdout, stderr=self.stderr)
