"""The ``selfassess`` command line: check, score and inspect question banks."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from selfassess import __version__
from selfassess.bank.answers import check_answers
from selfassess.bank.loader import BankError, load_bank, load_banks, load_text
from selfassess.bank.yamlsource import YamlSyntaxError, parse
from selfassess.resources import questionnaires_dir


class DatabaseParam(click.Path):
    """A SQLite file (checked as click.Path checks files) or a postgresql:// URL, passed on as it is."""

    name = "database"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if str(value).startswith(("postgresql://", "postgres://")):
            return value
        return super().convert(value, param, ctx)


@click.group()
@click.version_option(__version__, prog_name="selfassess")
def cli() -> None:
    """Self-assessment question banks: check them, score answers, run the web app."""


def _default_paths() -> list[str]:
    # The current project's banks if there are any, else the shipped ones.
    local = Path("questionnaires")
    return [str(local if local.is_dir() else questionnaires_dir())]


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print problems and summaries as JSON.")
@click.option(
    "--db",
    "database",
    type=DatabaseParam(exists=True, dir_okay=False),
    help="Also warn when a change makes stored responses incomparable.",
)
def check(paths: tuple[str, ...], as_json: bool, database: str | None) -> None:
    """Check question banks (files or folders; default questionnaires/).

    Prints one summary line per valid bank and exits 0, or one
    PATH:LINE:COL: message line per problem, for all files, and exits 1.
    """
    started = time.perf_counter()
    targets = list(paths) or _default_paths()
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise click.ClickException(f"no such file or folder: {', '.join(missing)}")
    found_warnings: list[Any] = []
    banks, problems = load_banks(targets, warnings=found_warnings)
    if not banks and not problems:
        raise click.ClickException(f"no .yaml banks found in {', '.join(targets)}")
    warnings = [str(w) for w in found_warnings]
    warnings += _compatibility_warnings(banks, database) if database else []
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not problems,
                    "banks": [_summary(b) for b in banks],
                    "problems": [vars(p) for p in problems],
                    "warnings": warnings,
                    "seconds": round(elapsed, 4),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for bank in banks:
            s = _summary(bank)
            drafts = f" (draft: {', '.join(bank.draft_languages)})" if bank.draft_languages else ""
            click.echo(
                f"{bank.source}: ok: {bank.id} {bank.version}, languages {', '.join(bank.languages)}{drafts}, "
                f"{s['dimensions']} dimensions, {s['scored_questions']} scored questions"
            )
        for warning in warnings:
            click.echo(warning)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
    sys.exit(1 if problems else 0)


def _stored_version(db: Any, bank_id: str) -> Any:
    """The newest version of *bank_id* stored in the database, or None; a clear error if it no longer loads."""
    from selfassess import store

    stored = store.latest_snapshot(db, bank_id)
    if stored is None:
        return None
    try:
        return load_text(stored[1], f"{bank_id} {stored[0]} (stored)")
    except BankError as exc:
        raise click.ClickException(
            f"the stored version {stored[0]} of {bank_id!r} no longer loads ({exc.problems[0].message}); "
            "is a rubric plugin it used uninstalled?"
        ) from None


def _compatibility_warnings(banks: list[Any], database: str) -> list[str]:
    from selfassess import store
    from selfassess.bank.diff import diff, incompatible

    db = store.connect(database)
    warnings = []
    for bank in banks:
        before = _stored_version(db, bank.id)
        if before is None:
            continue
        # Draft languages are not offered to respondents: their texts may grow under one version.
        offered = set(before.languages) | set(bank.languages)
        changes = diff(before, bank, languages=offered) if before.version == bank.version else []
        if changes:
            what = "the texts and the scoring changed" if any(c.scoring for c in changes) else "the texts changed"
            warnings.append(
                f"{bank.source}:1:1: warning: {what} but the version is still {bank.version!r}; give the bank a new "
                "version so reports say which wording was answered (selfassess diff --db lists the changes)"
            )
        for dim_id in incompatible(before, bank):
            warnings.append(
                f"{bank.source}:1:1: warning: dimension '{dim_id}' of the stored version {before.version} is gone, so existing "
                f"responses cannot be compared with new ones on it; keep the dimension id, or give the bank a new id"
            )
    return warnings


def _summary(bank: Any) -> dict[str, Any]:
    return {
        "path": bank.source,
        "id": bank.id,
        "version": bank.version,
        "languages": list(bank.languages),
        "draft_languages": list(bank.draft_languages),
        "dimensions": len(bank.dimensions),
        "scored_questions": len(bank.scored_questions),
    }


@cli.command("diff")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False), metavar="[OLD.yaml] NEW.yaml"
)
@click.option(
    "--db",
    "database",
    type=DatabaseParam(exists=True, dir_okay=False),
    help="Compare NEW with the latest version stored in this database (no OLD then).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff_command(files: tuple[str, ...], database: str | None, as_json: bool) -> None:
    """Show what changed between two versions of a bank, each flagged wording or scoring."""
    if len(files) > 2:
        raise click.ClickException("give at most two files: OLD.yaml NEW.yaml")
    old, new = (files[0], files[1]) if len(files) == 2 else (None, files[0])
    from selfassess.bank.diff import diff

    after = _load_or_fail(new)
    if database:
        if old:
            raise click.ClickException("give either OLD.yaml or --db, not both")
        from selfassess import store

        found = _stored_version(store.connect(database), after.id)
        if found is None:
            raise click.ClickException(f"{database} holds no version of the bank {after.id!r} yet")
        before = found
    elif old:
        before = _load_or_fail(old)
    else:
        raise click.ClickException("give OLD.yaml and NEW.yaml, or NEW.yaml with --db")
    changes = diff(before, after)
    if as_json:
        click.echo(json.dumps([vars(c) for c in changes], ensure_ascii=False, indent=2))
        return
    for change in changes:
        click.echo(str(change))
    scoring = sum(c.scoring for c in changes)
    click.echo(f"{len(changes)} changes, {scoring} of them scoring-relevant" if changes else "no changes")


@cli.group()
def translations() -> None:
    """Translations of a bank: completeness per language, and a CSV for translators out and back in.

    \b
    selfassess translations status BANK               completeness per language
    selfassess translations export BANK --lang da     CSV: key, source text, translation
    selfassess translations import BANK da.csv        write the translations into BANK
    """


bank_file = click.argument("bank", type=click.Path(exists=True, dir_okay=False))


def _bank_text(bank: str) -> str:
    """The bank file's text; a file that is not YAML at all gets its position, not a traceback."""
    text = Path(bank).read_text(encoding="utf-8")
    try:
        parse(text)
    except YamlSyntaxError as exc:
        raise click.ClickException(f"{bank}:{exc.position.line}:{exc.position.column}: {exc.message}") from None
    return text


@translations.command("status")
@bank_file
def translations_status(bank: str) -> None:
    """Show how complete each language of BANK is."""
    from selfassess.bank import translations as tr

    try:
        text = _bank_text(bank)
        drafts = tr.draft_languages(text)
        for code, (have, total) in tr.completeness(text).items():
            mark = " (draft, not offered to respondents)" if code in drafts else ""
            click.echo(f"{code}{mark}: {have} of {total} texts{'' if have == total else f' ({total - have} missing)'}")
    except tr.TranslationError as exc:
        raise click.ClickException(str(exc)) from None


@translations.command("export")
@bank_file
@click.option("--lang", metavar="XX", required=True, help="The language to export.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the CSV here (default: standard output).")
def translations_export(bank: str, lang: str, output: str | None) -> None:
    """Write a CSV for translators: key, source text, translation in LANG."""
    from selfassess.bank import translations as tr

    try:
        table = tr.export_csv(_bank_text(bank), lang)
    except tr.TranslationError as exc:
        raise click.ClickException(str(exc)) from None
    if output:
        Path(output).write_text(table, encoding="utf-8", newline="")
    else:
        click.echo(table, nl=False)


@translations.command("import")
@bank_file
@click.argument("table", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", metavar="XX", help="The language imported (default: from the file name, da.csv).")
def translations_import(bank: str, table: str, lang: str | None) -> None:
    """Write the translations in FILE.csv into BANK, keeping its comments and layout."""
    from selfassess.bank import translations as tr

    bank_path, table_path = Path(bank), Path(table)
    code = lang or table_path.stem
    try:
        new_text = tr.import_csv(_bank_text(bank), code, table_path.read_text(encoding="utf-8"))
        drafts = tr.draft_languages(new_text)
        have, total = tr.completeness(new_text)[code]
    except tr.TranslationError as exc:
        raise click.ClickException(str(exc)) from None
    if code not in drafts and have < total:
        raise click.ClickException(
            f"{table_path} leaves {total - have} of {total} texts without a '{code}' translation, and '{code}' is "
            f"offered to respondents; declare it as a draft first (move it from languages to draft_languages: [{code}]) "
            "to import a partial translation, or fill in every row; nothing was written"
        )
    try:
        load_text(new_text, str(bank_path))
    except BankError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{bank_path} would not be valid with these translations; nothing was written"
        ) from None
    bank_path.write_text(new_text, encoding="utf-8", newline="")
    if code in drafts:
        state = (
            f"complete: move {code} from draft_languages to languages to offer it to respondents"
            if have == total
            else f"{have} of {total} texts, still a draft"
        )
        click.echo(f"{bank_path}: {code} translations written ({state})")
    else:
        click.echo(f"{bank_path}: {code} translations written")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the bank format (for editors)."""
    from selfassess.bank.schema import schema_json

    click.echo(schema_json(), nl=False)


@cli.command()
def rubrics() -> None:
    """List the installed rubrics: name, origin and version."""
    from selfassess.scoring.plugins import installed_rubrics

    rows = [(name, r.origin, r.version, r.rubric.description) for name, r in sorted(installed_rubrics().items())]
    width = max(len(r[0]) for r in rows)
    origin_width = max(len(r[1]) for r in rows)
    for name, origin, version, description in rows:
        click.echo(f"{name:<{width}}  {origin:<{origin_width}}  {version:<8}  {description}")


def _load_or_fail(path: str) -> Any:
    try:
        return load_bank(path)
    except BankError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{path} is not a valid bank; fix the problems above (selfassess check {path})"
        ) from None


@cli.command()
@click.argument("bank", type=click.Path(exists=True, dir_okay=False))
@click.argument("answers_file", metavar="ANSWERS.json", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--feedback", is_flag=True, help="Add each dimension's advice for its level.")
@click.option("--lang", metavar="XX", help="Language of the advice (default: the bank's first).")
@click.option("--partial", is_flag=True, help="Score a draft: required answers may be missing.")
@click.option("--digits", default=1, show_default=True, help="Decimals of the scores printed.")
def score(bank: str, answers_file: str, feedback: bool, lang: str | None, partial: bool, digits: int) -> None:
    """Score ANSWERS.json (question id → value, list or "na") against BANK; print JSON."""
    from selfassess.scoring.engine import UnknownRubric, result_json
    from selfassess.scoring.engine import score as score_answers

    questionnaire = _load_or_fail(bank)
    if lang is not None and lang not in questionnaire.languages:
        raise click.ClickException(
            f"--lang {lang}: the bank {questionnaire.id!r} is in {', '.join(questionnaire.languages)}"
        )
    try:
        with click.open_file(answers_file, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{answers_file} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise click.ClickException(f"{answers_file} must hold a JSON object mapping question ids to answers")
    checked = check_answers(questionnaire, raw, partial=partial)
    for warning in checked.warnings:
        click.echo(f"{answers_file}: warning: {warning}", err=True)
    if checked.problems:
        for problem in checked.problems:
            click.echo(f"{answers_file}: {problem}", err=True)
        hint = "" if partial else " (use --partial to score a draft with answers missing)"
        raise click.ClickException(f"{len(checked.problems)} problem(s) in the answers{hint}")
    try:
        result = score_answers(questionnaire, checked.answers)
    except UnknownRubric as exc:
        raise click.ClickException(str(exc)) from None
    output = result_json(questionnaire, result, feedback=feedback, lang=lang, digits=digits)
    try:
        text = json.dumps(output, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise click.ClickException(
            f"the rubric {questionnaire.rubric.plugin!r} gave a score that is not a finite number, "
            "which JSON cannot hold; is a rubric plugin broken?"
        ) from None
    click.echo(text)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option(
    "--questionnaires", "folder", type=click.Path(file_okay=False), help="Folder of banks (default: the shipped ones)."
)
@click.option(
    "--db",
    "database",
    type=click.Path(dir_okay=False),
    help="SQLite file or postgresql:// URL (default: instance/selfassess.db).",
)
@click.option("--debug", is_flag=True, help="Reload code and banks when they change; show the debugger.")
def run(host: str, port: int, folder: str | None, database: str | None, debug: bool) -> None:
    """Run the web app for local use (in production: gunicorn 'selfassess:create_app()')."""
    from selfassess.web import create_app

    # Flask's development server speaks plain HTTP only: cookies marked Secure would never
    # come back (in production, gunicorn behind HTTPS keeps them Secure).
    config: dict[str, Any] = {"SELFASSESS_SECURE_COOKIES": False}
    if folder:
        config["SELFASSESS_QUESTIONNAIRES"] = folder
    if database:
        config["SELFASSESS_DATABASE"] = database
    try:
        app = create_app(config)
    except BankError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            "the question banks have problems (listed above); fix them and start again"
        ) from None
    click.echo(
        f"selfassess: {len(app.extensions['selfassess_catalog'].banks)} banks, database {app.config['SELFASSESS_DATABASE']}"
    )
    click.echo(f"selfassess: open http://{host}:{port}/")
    if host not in app.config["TRUSTED_HOSTS"]:
        click.echo(f"selfassess: requests are answered for the hosts {', '.join(app.config['TRUSTED_HOSTS'])} only; "
                   "set SELFASSESS_ALLOWED_HOSTS to add the names this machine is reached by", err=True)  # fmt: skip
    app.run(host=host, port=port, debug=debug)


@cli.command()
@click.argument("bank", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5050, show_default=True, help="Port to listen on.")
def preview(bank: str, host: str, port: int) -> None:
    """Preview BANK as respondents see it, with the scoring shown live; reloads when you save."""
    from selfassess.web.preview import create_preview_app

    click.echo(f"selfassess: previewing {bank}: open http://{host}:{port}/ (Ctrl+C to stop)")
    create_preview_app(bank).run(host=host, port=port)


@cli.command()
@click.option(
    "--responses", "count", default=60, show_default=True, help="How many demo organisations there should be."
)
@click.option("--seed", default=2026, show_default=True, help="Seed, for the same data every time.")
@click.option(
    "--db",
    "database",
    type=click.Path(dir_okay=False),
    default="instance/demo.db",
    show_default=True,
    help="SQLite file or postgresql:// URL to fill.",
)
@click.option("--bank", "bank_ids", multiple=True, help="Bank id (default: every shipped bank).")
@click.option(
    "--questionnaires", "folder", type=click.Path(file_okay=False), help="Folder of banks (default: the shipped ones)."
)
def demo(count: int, seed: int, database: str, bank_ids: tuple[str, ...], folder: str | None) -> None:
    """Create demo organisations with plausible, submitted and scored answers."""
    from selfassess.bank.catalog import Catalog
    from selfassess.demo import create_demo_data, summary

    try:
        catalog = Catalog.load(folder or questionnaires_dir())
    except BankError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the question banks have problems (listed above)") from None
    unknown = [b for b in bank_ids if b not in catalog.banks]
    if unknown:
        raise click.ClickException(f"no bank called {', '.join(unknown)} (banks: {', '.join(sorted(catalog.banks))})")
    banks = [catalog.banks[b] for b in (bank_ids or sorted(catalog.banks))]
    with click.progressbar(length=count * len(banks), label="Creating demo responses") as bar:
        tokens = create_demo_data(database, banks, count, seed, progress=bar.update)
    for line in summary(database, banks, tokens, count, seed):
        click.echo(line)


def _database(path: str | None) -> Any:
    """Open the app's database: --db, else the SELFASSESS_DATABASE setting."""
    from selfassess import settings, store

    return store.connect(settings.database(path))


db_option = click.option(
    "--db", "database", type=click.Path(dir_okay=False), help="SQLite file or postgresql:// URL (default: the app's)."
)


@cli.group()
def facilitator() -> None:
    """Manage facilitator accounts (people who run cohorts)."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password"))


@facilitator.command("add")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@db_option
def facilitator_add(email: str, password_stdin: bool, database: str | None) -> None:
    """Create a facilitator account."""
    from selfassess import accounts

    try:
        created = accounts.add(_database(database), email, _read_password(password_stdin))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"facilitator {created.email} added")


@facilitator.command("list")
@db_option
def facilitator_list(database: str | None) -> None:
    """List facilitator accounts."""
    from selfassess import accounts

    for found, created_at in accounts.all_facilitators(_database(database)):
        click.echo(f"{found.email}  (since {created_at[:10]})")


@facilitator.command("remove")
@click.argument("email")
@db_option
def facilitator_remove(email: str, database: str | None) -> None:
    """Remove a facilitator account (its cohorts stay, without that owner)."""
    from selfassess import accounts

    try:
        accounts.remove(_database(database), email)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"facilitator {accounts.normalise_email(email)} removed")


@facilitator.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input (one line).")
@db_option
def facilitator_passwd(email: str, password_stdin: bool, database: str | None) -> None:
    """Set a facilitator's password."""
    from selfassess import accounts

    try:
        accounts.set_password(_database(database), email, _read_password(password_stdin))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password of {accounts.normalise_email(email)} changed")


@cli.command()
@click.option("--cohort", "code", required=True, help="The cohort's code (the end of its invitation link).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "xlsx"]),
    default="csv",
    show_default=True,
    help="File format; xlsx is one workbook with the sheets Results and Answers, written to -o.",
)
@click.option(
    "--answers", is_flag=True, help="Export every answer (long format) instead of one row per response (csv, json)."
)
@click.option("--lang", metavar="XX", help="Language of the labels and question texts (default: the bank's first).")
@click.option(
    "--output",
    "-o",
    type=click.File("wb"),
    help="File to write (default: standard output; an xlsx goes there only with -o -).",
)
@db_option
def export(code: str, fmt: str, answers: bool, lang: str | None, output: Any, database: str | None) -> None:
    """Export a cohort's results (or all its answers) as CSV, JSON or xlsx, as the dashboard does."""
    from selfassess import cohorts, exports

    if fmt == "xlsx" and output is None:
        raise click.ClickException(
            "an xlsx workbook is binary and would garble a terminal; write it to a file with -o FILE.xlsx "
            "(or to standard output with -o -)"
        )
    if fmt == "xlsx" and answers:
        raise click.ClickException(
            "the xlsx workbook holds the answers beside the results already; leave out --answers"
        )
    db = _database(database)
    cohort = cohorts.by_code(db, code)
    if cohort is None:
        raise click.ClickException(f"there is no cohort with code {code!r}")
    bank = _bank_for(cohort.bank_id)
    if lang is not None and lang not in bank.languages:
        raise click.ClickException(
            f"the questionnaire {bank.id!r} has no language {lang!r} (it has: {', '.join(bank.languages)})"
        )
    lang = exports.export_language(bank, lang)
    output = output or click.open_file("-", "wb")
    # Bytes, so that the CSV keeps its CRLF line ends and BOM exactly as the web export has them.
    if fmt == "xlsx":
        output.write(exports.workbook(db, cohort, bank, lang))
    elif answers:
        _write_export(output, fmt, exports.answer_rows(db, cohort, bank, lang), cohort, lang, "answers")
    else:
        rows = exports.response_rows(db, cohort, bank, lang, rounded=fmt == "csv")
        _write_export(output, fmt, rows, cohort, lang, "responses")


def _write_export(output: Any, fmt: str, rows: list[dict[str, Any]], cohort: Any, lang: str, key: str) -> None:
    """Write *rows* as the web writes them: CSV bytes, or the JSON document with the rows under *key*."""
    from selfassess import exports

    if fmt == "csv":
        output.write(exports.to_csv(rows).encode("utf-8"))
    else:
        data = exports.json_document(cohort, lang, key, rows)
        output.write((json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _bank_for(bank_id: str) -> Any:
    from selfassess import settings
    from selfassess.bank.catalog import Catalog

    try:
        bank = Catalog.load(settings.load()["SELFASSESS_QUESTIONNAIRES"]).get(bank_id)
    except BankError as exc:
        raise click.ClickException(
            f"the question banks have problems; run selfassess check ({exc.problems[0]})"
        ) from None
    if bank is None:
        raise click.ClickException(f"the questionnaire {bank_id!r} of this cohort is not among the banks")
    return bank


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, and delete nothing.")
@db_option
def purge_command(dry_run: bool, database: str | None) -> None:
    """Delete abandoned drafts: empty ones after a day, the rest after SELFASSESS_DRAFT_DAYS untouched.

    Submitted responses and their reports are never deleted. The app does the same at each start.
    """
    from selfassess import purge, settings

    days = settings.load()["SELFASSESS_DRAFT_DAYS"]
    try:
        done = purge.purge_drafts(_database(database), days, dry_run=dry_run)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {done.drafts} drafts ({done.empty} empty for over {purge.EMPTY_DRAFT_DAYS} day,"
        f" {done.untouched} untouched for over {days} days) with {done.answers} answers"
    )


@cli.command("privacy")
@db_option
def privacy_command(database: str | None) -> None:
    """Print the privacy settings of peer figures, what each group size gets, and the yearly accounting.

    With --db, also the releases made so far. docs/privacy.md explains each figure.
    """
    from selfassess import peers, privacy, settings, store
    from selfassess.bank.catalog import Catalog
    from selfassess.peers import Policy

    config = settings.load({"SELFASSESS_DATABASE": database} if database else None)
    policy = Policy(
        epsilon=config["SELFASSESS_PRIVACY_EPSILON"],
        release_hours=config["SELFASSESS_RELEASE_HOURS"],
        yearly_epsilon=config["SELFASSESS_PRIVACY_YEARLY_EPSILON"],
        min_peers=config["SELFASSESS_MIN_PEERS"],
    )
    click.echo(
        f"epsilon per release of one peer group: {policy.epsilon:g} ({privacy.COUNT_SHARE:.0%} for the size band)"
    )
    click.echo(
        f"a new release: on a fixed timetable, the first request in each slot of at least {policy.release_hours:g} hours"
        " (longer where the yearly total needs it); never because members joined"
    )
    click.echo(f"yearly epsilon per organisation and bank: {policy.yearly_epsilon:g}")
    click.echo("what a group gets, by its noisy size:")
    click.echo(f'  below {privacy.MEDIAN_FROM}: nothing, not even its size ("too few peers for private figures")')
    click.echo(
        f"  {privacy.MEDIAN_FROM} to {privacy.QUARTILES_FROM - 1}: the median of each dimension and overall, with its ±"
    )
    click.echo(f"  from {privacy.QUARTILES_FROM}: the median and the quartiles, with their ±")
    click.echo(
        f"  vetted cohorts from {policy.min_peers} approved members: exact figures rounded to whole points (no noise)"
    )
    catalog = Catalog.load(config["SELFASSESS_QUESTIONNAIRES"])
    for bank in catalog.banks.values():
        groups = policy.groups_per_organisation(bank)
        per_year = policy.releases_per_year(bank)
        click.echo(
            f"{bank.id}: an organisation is in at most {groups} groups at once (everyone, its cohort, one per"
            f" profile answer, each value of a multi-answer question counted); each group gets at most {per_year}"
            f" releases a year, so one organisation"
            f" spends at most {groups} x {per_year} x {policy.epsilon:g} = {groups * per_year * policy.epsilon:g} a year;"
            f" a release stays on show for {peers.period(policy, per_year).total_seconds() / 86400:.0f} days or more"
        )
    if database:
        releases = store.all_releases(_database(database))
        click.echo(f"releases so far: {len(releases)}")
        for found in releases:
            group = "everyone" if not found.key.grp else f"{found.key.grp}={found.key.grp_value}"
            figures = found.figures
            click.echo(
                f"  {found.created_at} {found.key.bank_id} {group} #{found.seq}: {figures.get('kind')}"
                f" {figures.get('tier')}, epsilon {found.epsilon:g}"
            )


@cli.group("db")
def db_group() -> None:
    """Look after the database: bring its schema up to date, move its data to another engine."""


@db_group.command("migrate")
@click.argument("database", required=False)
def db_migrate(database: str | None) -> None:
    """Bring DATABASE's schema up to date (a SQLite path or a postgresql:// URL; default: the app's).

    The app does the same at each start; this is for a database about to be copied.
    """
    from selfassess import dbcopy, settings

    name = settings.database(database)
    try:
        dbcopy.open_target(name).conn.close()
    except dbcopy.CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{dbcopy.shown(name)}: the schema is up to date")


@db_group.command("copy")
@click.argument("source")
@click.argument("target")
@click.option("--replace", is_flag=True, help="Delete the target's data first (in the same transaction).")
@click.option("--check", "sample", default=20, show_default=True, help="Organisations whose reports are compared.")
@click.option("--batch", default=5000, show_default=True, help="Rows read and written at a time.")
def db_copy(source: str, target: str, replace: bool, sample: int, batch: int) -> None:
    """Copy all data from SOURCE to TARGET: a SQLite file or a postgresql:// URL, either way round.

    Ids are kept. The rows go into TARGET in one transaction, committed only when every
    table holds as many rows as in SOURCE; then the reports of --check organisations are
    built from both and compared. TARGET is created (with its schema) if needed and must
    be empty, unless --replace. SOURCE is only read, and must have the newest schema
    (selfassess db migrate SOURCE).
    """
    import contextlib

    from selfassess import dbcopy, settings
    from selfassess.bank.catalog import Catalog

    try:
        catalog = Catalog.load(settings.load()["SELFASSESS_QUESTIONNAIRES"])
    except BankError as exc:
        raise click.ClickException(
            f"the question banks have problems; run selfassess check ({exc.problems[0]})"
        ) from None
    with contextlib.ExitStack() as stack:

        def start(total: int) -> Any:
            bar = click.progressbar(length=total, label=f"Copying {total:,} rows", show_pos=True)
            return stack.enter_context(bar).update

        try:
            outcome = dbcopy.copy_database(
                source, target, catalog, replace=replace, sample=sample, batch=batch, start=start
            )
        except dbcopy.CopyError as exc:
            raise click.ClickException(str(exc)) from None
    for table in outcome.tables:
        click.echo(
            f"  {table.table:<22} {table.source:>12,} rows  {'ok' if table.source == table.target else 'DIFFERENT'}"
        )
    rate = outcome.rows / outcome.seconds if outcome.seconds else 0
    click.echo(
        f"copied {outcome.rows:,} rows of {len(outcome.tables)} tables from {dbcopy.shown(source)} to"
        f" {dbcopy.shown(target)} in {outcome.seconds:.1f} s ({rate:,.0f} rows/s); every table's row count matches"
    )
    if outcome.reports_differing:
        raise click.ClickException(
            f"{len(outcome.reports_differing)} of {outcome.reports_compared} reports differ between the databases"
            f" (e.g. {', '.join(outcome.reports_differing[:3])}); the rows are committed: look into it before"
            " using the target, and copy again with --replace"
        )
    click.echo(f"reports of the sample compared: {outcome.reports_compared}, all the same")


def main() -> None:
    """Run the command line."""
    try:
        cli()
    except RuntimeError as error:
        from selfassess.store import Unreachable  # imported already when it was raised

        if not isinstance(error, Unreachable):  # a postgresql:// database whose server is down or refuses
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
