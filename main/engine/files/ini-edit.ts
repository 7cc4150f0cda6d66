/**
 * Byte-preserving editing of AWS-style INI files (`~/.aws/credentials`, `~/.aws/config`), on strings.
 *
 * Two readers matter and they disagree: botocore (the AWS CLI, Python's strict `RawConfigParser`)
 * and the JavaScript SDK (`parseIni` in `@smithy/core`). This module models the file the way both
 * see it where they agree, and takes botocore's stricter view where they do not, so that what we
 * write reads the same in both:
 *
 * - A line is split off at `\n`; a `\r` just before it belongs to the line ending (CRLF).
 * - Blank lines and lines whose first non-blank character is `#` or `;` are comments for both.
 * - A key line is `key = value` (botocore also accepts `key: value`; keys are compared in lower case
 *   because botocore lower-cases them).
 * - A line indented deeper than the key line above it (blank and comment lines in between do not
 *   count) continues that key: botocore appends it to the value, the JS SDK reads `s3 =` style
 *   nested sub-keys from it. Either way it is not a key of the section, so it is never one of ours.
 * - A section header is a line whose first non-blank character is `[`; its name is what botocore
 *   reads: the text between that `[` and the last `]` of the line.
 *
 * Every function takes and returns a whole file as a string and changes nothing it was not asked to:
 * comments, blank lines, order, indentation, line endings (LF, CRLF, mixed), a leading BOM and a
 * missing final newline all survive. Callers that must preserve arbitrary bytes (not only UTF-8)
 * pass a `latin1` ("binary") string: the structure is pure ASCII, so every byte round-trips.
 */
import { isUtf8 } from 'node:buffer';
import { invalidInput } from '../../common/errors';
import { isValidSectionName, SECTION_NAME_RULE } from '../../common/aws-names';
import type { AwsCliReadProblem } from '../../common/diagnosis';

/** A line ending as found in the file; `''` only on a last line without one. */
export type LineEnding = '' | '\n' | '\r\n';

/** One physical line of the file. */
export interface IniLine {
  readonly text: string;
  readonly eol: LineEnding;
}

/** One `key = value` line of a section, with any continuation (nested sub-key) lines under it. */
export interface IniEntry {
  /** The key in lower case, as botocore compares it. */
  readonly key: string;
  /** The value with surrounding blanks and a JS-SDK-style inline comment (` # ...`) removed. */
  readonly value: string;
  /** Index of the key line in {@link IniDocument.lines}. */
  readonly line: number;
  /** Index just past the entry's last continuation line (`line + 1` when it has none). */
  readonly end: number;
}

/** A section: its header line, its body, and the top-level key lines in it. */
export interface IniSection {
  /** The section's name, or `undefined` for the lines before the first header. */
  readonly name: string | undefined;
  /** Index of the header line (`-1` for the lines before the first header). */
  readonly header: number;
  /** Index just past the section's last line (the next header, or the end of the file). */
  readonly end: number;
  readonly entries: readonly IniEntry[];
}

/** A parsed file. `lines` joined with their endings, after `bom`, give back the input exactly. */
export interface IniDocument {
  /** `'\uFEFF'` when the text starts with a byte-order mark (decoded or as latin1 bytes), else `''`. */
  readonly bom: string;
  /** The file's lines, made when first asked for (an edit of one section needs only its own). */
  readonly lines: readonly IniLine[];
  /** The line ending used by most lines (LF for a file without any): the one new lines get. */
  readonly eol: '\n' | '\r\n';
  /** The lines before the first header (name `undefined`), then every section in file order. */
  readonly sections: readonly IniSection[];
  /** The text after `bom`, as given: an edit copies the lines it does not change from here. */
  readonly source: string;
  /** Where each line starts in `source`, and `source.length` after the last. */
  readonly starts: readonly number[];
}

/** Thrown when an edit targets a section that appears more than once in the file. */
export class DuplicateSectionError extends Error {
  override readonly name = 'DuplicateSectionError';

  constructor(
    readonly section: string,
    /** 1-based line numbers of the headers. */
    readonly lineNumbers: readonly number[],
  ) {
    super(`The section [${section}] appears ${lineNumbers.length} times (lines ${lineNumbers.join(', ')}).`);
  }
}

const BOMS = ['\uFEFF', '\xEF\xBB\xBF'];
const BLANK = /^[ \t\f\v\r]*$/;
const LEADING_BLANKS = /^[ \t\f\v]*/;

/** Splits text into lines and finds its sections and top-level key lines. */
export function parseIni(text: string): IniDocument {
  const bom = BOMS.find((b) => text.startsWith(b)) ?? '';
  const source = text.slice(bom.length);
  // A write parses the whole file, often as the process's first run of this code, so a file of a
  // thousand profiles is parsed in two steps: its lines and section headers first (one quick pass),
  // then a section's key lines only when that section's entries are asked for (an edit needs one
  // section's). This holds only when every line starting with "[" after blanks starts with it: an
  // indented one may continue a key line above it rather than start a section, which only the
  // whole pass can tell, so such a file gets the whole pass (scanLines over every line).
  return INDENTED_BRACKET.test(source) ? parseWhole(bom, source) : parseByHeaders(bom, source);
}

/** A line that starts with "[" after blanks: a header, or a key's continuation (see parseIni). */
const INDENTED_BRACKET = /(?:^|\n)[ \t\f\v\r]+\[/;

/**
 * {@link parseIni} with every line scanned in one pass: what a file with an indented "[" line gets.
 * Exported for the test that holds the quicker reading to the same result.
 */
export function parseIniWhole(text: string): IniDocument {
  const bom = BOMS.find((b) => text.startsWith(b)) ?? '';
  return parseWhole(bom, text.slice(bom.length));
}

function parseWhole(bom: string, source: string): IniDocument {
  const starts: number[] = [];
  const scan = scanLines(source, 0, source.length, 0, starts);
  starts.push(source.length);
  return new ParsedIni(bom, source, starts, scan.crlfLines > scan.lfLines ? '\r\n' : '\n', scan.sections);
}

/** Lines and headers in one pass; the key lines of a section are scanned when first asked for. */
function parseByHeaders(bom: string, source: string): IniDocument {
  const starts: number[] = [];
  const headers: number[] = [];
  let crlfLines = 0;
  let lfLines = 0;
  for (let start = 0; start < source.length;) {
    if (source.charCodeAt(start) === OPEN_BRACKET) headers.push(starts.length);
    starts.push(start);
    const newline = source.indexOf('\n', start);
    if (newline < 0) break;
    if (newline > start && source.charCodeAt(newline - 1) === CARRIAGE_RETURN) crlfLines += 1;
    else lfLines += 1;
    start = newline + 1;
  }
  const count = starts.length;
  starts.push(source.length);
  const sections: IniSection[] = [];
  let previous = -1;
  for (const header of [...headers, count]) {
    const bodyFrom = previous + 1;
    const name = previous < 0 ? undefined : headerName(source, starts[previous] as number, lineTextEnd(source, starts, previous));
    sections.push(new LazySection(name, previous, header, source, starts, bodyFrom));
    previous = header;
  }
  return new ParsedIni(bom, source, starts, crlfLines > lfLines ? '\r\n' : '\n', sections);
}

/** A document for reading and editing one section, and how to put an edit of it back into the file: see {@link parseIniFor}. */
export interface SectionScope {
  readonly doc: IniDocument;
  /** Where `doc`'s text is in the file's: from `start` to `end` (0 and the text's length when `doc` is the whole file). */
  readonly start: number;
  readonly end: number;
  /** The whole file's text around `edited`, an edit of `doc`'s text (`edited` itself when `doc` is the whole file). */
  readonly whole: (edited: string) => string;
}

/** A change of a text: `text` in the place of what was from `start` to `end` in it. */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The documents of one section alone ({@link parseIniFor}): an edit of one of them is the section's
 * text, not the file's, so setKeys and removeKeys refuse them unless given with their scope.
 */
const SECTION_ALONE = new WeakSet<IniDocument>();

/**
 * {@link parseIni} for reading or editing the one section `name`: when the section appears once and
 * no line starts with "[" after blanks (see parseIni), `doc` is that section alone (its header is
 * line 0, the file's line ending for new lines is kept), found by searching the text for its header
 * line, and the other sections' lines are never split. A fresh process's first parse of a whole
 * thousand-profile file took ~10 ms, most of a cold write (its allocations, more than its scanning:
 * the first garbage collections of a new process come early here); this takes well under one.
 * Otherwise (the section is missing or repeated, or such a line exists) `doc` is the whole file's
 * parse, and errors such as {@link DuplicateSectionError} come from it as before.
 *
 * findSections and sectionValues give the same on `doc` as on the whole file, and setKeys given
 * the scope the same text. setKeys and removeKeys refuse `doc` alone: its edit is the section's text.
 */
export function parseIniFor(text: string, name: string): SectionScope {
  const bom = BOMS.find((b) => text.startsWith(b)) ?? '';
  const source = text.slice(bom.length);
  const at = /[\r\n]/.test(name) ? undefined : onlyHeaderLine(source, `[${name}]`);
  if (at === undefined || INDENTED_BRACKET.test(source)) return { doc: parseIni(text), start: 0, end: text.length, whole: (edited) => edited };
  const next = source.indexOf('\n[', at);
  const end = next < 0 ? source.length : next + 1;
  const alone = parseByHeaders('', source.slice(at, end));
  let eol: IniDocument['eol'] | undefined;
  const doc: IniDocument = {
    bom: '',
    source: alone.source,
    starts: alone.starts,
    sections: alone.sections,
    get lines() {
      return alone.lines;
    },
    // The file's, not the section's: counted only if a line is added.
    get eol() {
      eol ??= mostUsedEol(source);
      return eol;
    },
  };
  SECTION_ALONE.add(doc);
  const before = text.slice(0, bom.length + at);
  const after = source.slice(end);
  return { doc, start: before.length, end: bom.length + end, whole: (edited) => before + edited + after };
}

/**
 * Where the one line that is the header of `[name]` (given as `header`) starts: a line starting with
 * it and with no "]" after it (botocore's name runs to the line's last "]"). `undefined` when there
 * is no such line, or more than one.
 */
function onlyHeaderLine(source: string, header: string): number | undefined {
  let found: number | undefined;
  for (let at = source.indexOf(header); at >= 0; at = source.indexOf(header, at + 1)) {
    if (at > 0 && source.charCodeAt(at - 1) !== NEWLINE) continue;
    const newline = source.indexOf('\n', at);
    if (source.lastIndexOf(']', newline < 0 ? source.length : newline) !== at + header.length - 1) continue;
    if (found !== undefined) return undefined;
    found = at;
  }
  return found;
}

/** The line ending most lines of `source` end with (LF when none has one), as parseIni counts them. */
function mostUsedEol(source: string): '\n' | '\r\n' {
  let crlfLines = 0;
  let lfLines = 0;
  for (let newline = source.indexOf('\n'); newline >= 0; newline = source.indexOf('\n', newline + 1)) {
    if (newline > 0 && source.charCodeAt(newline - 1) === CARRIAGE_RETURN) crlfLines += 1;
    else lfLines += 1;
  }
  return crlfLines > lfLines ? '\r\n' : '\n';
}

/** Where line `i`'s text ends: before its `\n` or `\r\n`. */
function lineTextEnd(source: string, starts: readonly number[], i: number): number {
  const next = starts[i + 1] as number;
  if (next === (starts[i] as number) || source.charCodeAt(next - 1) !== NEWLINE) return next;
  return next - 1 > (starts[i] as number) && source.charCodeAt(next - 2) === CARRIAGE_RETURN ? next - 2 : next - 1;
}

/** botocore's `\[(?P<header>.+)\]`: from the first `[` to the last `]` of the line. */
function headerName(source: string, bracket: number, end: number): string | undefined {
  const close = source.lastIndexOf(']', end - 1);
  return close > bracket + 1 ? source.slice(bracket + 1, close) : undefined;
}

/** A section found by its header, whose key lines are scanned on first use. */
class LazySection implements IniSection {
  #entries: readonly IniEntry[] | undefined;

  constructor(
    readonly name: string | undefined,
    readonly header: number,
    readonly end: number,
    private readonly source: string,
    private readonly starts: readonly number[],
    private readonly bodyFrom: number,
  ) {}

  get entries(): readonly IniEntry[] {
    // The body has no header (see parseByHeaders), so the scan finds the one section it is in.
    this.#entries ??= scanLines(this.source, this.starts[this.bodyFrom] as number, this.starts[this.end] as number, this.bodyFrom).sections[0]?.entries ?? [];
    return this.#entries;
  }
}

/**
 * Scans the lines of `source` from offset `from` (a line's start, numbered `index`) to `to`: their
 * sections (the lines before the first header among them form one with name `undefined`), their
 * key lines, and how many lines end in CRLF and in LF. Each line's start is pushed to `starts` when given.
 */
function scanLines(
  source: string,
  from: number,
  to: number,
  index: number,
  starts?: number[],
): { readonly sections: IniSection[]; readonly crlfLines: number; readonly lfLines: number } {
  // One pass with character codes and the engine's string search, making no object per line
  // (values are cut out only when read, see LazyEntry).
  const sections: IniSection[] = [];
  let name: string | undefined;
  let header = -1;
  let entries: LazyEntry[] = [];
  // The key line that deeper-indented lines below it continue (botocore's `optname`/`indent_level`).
  let open: { entry: LazyEntry; indent: number } | undefined;
  let crlfLines = 0;
  let lfLines = 0;

  for (let start = from; start < to; index += 1) {
    starts?.push(start);
    const newline = source.indexOf('\n', start);
    const next = newline < 0 || newline >= to ? to : newline + 1;
    // The line's text ends before its line ending: `\n`, or `\r\n`.
    let end = newline < 0 || newline >= to ? to : newline;
    if (end < to) {
      if (end > start && source.charCodeAt(end - 1) === CARRIAGE_RETURN) {
        end -= 1;
        crlfLines += 1;
      } else {
        lfLines += 1;
      }
    }
    const lineStart = start;
    start = next;

    let first = lineStart;
    while (first < end && isIndent(source.charCodeAt(first))) first += 1;
    const indent = first - lineStart;
    while (first < end && isBlank(source.charCodeAt(first))) first += 1;
    if (first === end) continue; // a blank line
    const c = source.charCodeAt(first);
    if (c === HASH || c === SEMICOLON) continue; // a comment
    if (open && indent > open.indent) {
      open.entry.end = index + 1;
      continue;
    }
    open = undefined;
    if (c === OPEN_BRACKET) {
      sections.push({ name, header, end: index, entries });
      name = headerName(source, first, end);
      header = index;
      entries = [];
      continue;
    }
    // The first `=` or `:` of the line.
    const equals = source.indexOf('=', first);
    const colon = source.indexOf(':', first);
    const delimiter = Math.min(equals < 0 || equals >= end ? end : equals, colon < 0 || colon >= end ? end : colon);
    // No `=` or `:`, or nothing before it: not a key line (botocore rejects the file, the JS SDK skips the line).
    if (delimiter === end || delimiter === first) continue;
    const entry = new LazyEntry(trimBlanks(source.slice(first, delimiter)).toLowerCase(), source, delimiter + 1, end, index);
    entries.push(entry);
    open = { entry, indent };
  }
  sections.push({ name, header, end: index, entries });
  return { sections, crlfLines, lfLines };
}

/** An {@link IniDocument} whose `lines` are cut out of the text on first use. */
class ParsedIni implements IniDocument {
  #lines: IniLine[] | undefined;

  constructor(
    readonly bom: string,
    readonly source: string,
    readonly starts: readonly number[],
    readonly eol: '\n' | '\r\n',
    readonly sections: readonly IniSection[],
  ) {}

  get lines(): readonly IniLine[] {
    this.#lines ??= Array.from({ length: this.starts.length - 1 }, (_, i) => lineAt(this, i));
    return this.#lines;
  }
}

/** Line `i` of a document, cut out of its text (without making the others). */
function lineAt(doc: Pick<IniDocument, 'source' | 'starts'>, i: number): IniLine {
  const start = doc.starts[i] as number;
  const next = doc.starts[i + 1] as number;
  const { source } = doc;
  if (next === start || source.charCodeAt(next - 1) !== NEWLINE) return { text: source.slice(start, next), eol: '' };
  const crlf = next - 1 > start && source.charCodeAt(next - 2) === CARRIAGE_RETURN;
  return { text: source.slice(start, crlf ? next - 2 : next - 1), eol: crlf ? '\r\n' : '\n' };
}

const HASH = 0x23;
const SEMICOLON = 0x3b;
const OPEN_BRACKET = 0x5b;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Space, tab, form feed, vertical tab: what an indentation is made of (LEADING_BLANKS). */
function isIndent(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0b;
}

/** An indentation character or a stray carriage return (BLANK). */
function isBlank(c: number): boolean {
  return isIndent(c) || c === 0x0d;
}

/** An {@link IniEntry} whose value is cleaned only when it is read. */
class LazyEntry implements IniEntry {
  end: number;

  constructor(
    readonly key: string,
    private readonly source: string,
    private readonly valueStart: number,
    private readonly lineEnd: number,
    readonly line: number,
  ) {
    this.end = line + 1;
  }

  get value(): string {
    return cleanValue(this.source.slice(this.valueStart, this.lineEnd));
  }
}

/** Joins a document (or edited lines) back into text. */
export function serializeIni(doc: { readonly bom: string; readonly lines: readonly IniLine[] }): string {
  return doc.bom + doc.lines.map((l) => l.text + l.eol).join('');
}

/** Every section named `name`, in file order (more than one means the file has duplicates). */
export function findSections(doc: IniDocument, name: string): IniSection[] {
  return doc.sections.filter((s) => s.header >= 0 && s.name === name);
}

/**
 * The top-level values of a section as a map from lower-case key to value.
 *
 * Repeated keys and repeated sections merge with the last one winning, as in the JS SDK (botocore
 * refuses such a file altogether). `undefined` when the section does not exist.
 */
export function sectionValues(doc: IniDocument, name: string): Map<string, string> | undefined {
  const found = findSections(doc, name);
  if (found.length === 0) return undefined;
  const values = new Map<string, string>();
  for (const section of found) for (const entry of section.entries) values.set(entry.key, entry.value);
  return values;
}

/**
 * Sets keys in one section, changing nothing else.
 *
 * An existing key line (matched case-insensitively, with any spacing and `=` or `:`) is replaced in
 * place, keeping its indentation and line ending; later repeats of that key in the section are
 * removed, because botocore refuses a section with a key twice and the JS SDK would read the last,
 * stale one. Keys not there yet are inserted together, in the given order, after the section's last
 * key line (or right after its header). A missing section is appended at the end of the file after
 * one blank line. New lines get the file's line ending; a file without a final newline keeps
 * having none.
 *
 * @param source the file's text, or that text as {@link parseIni} or {@link parseIniFor} (for this
 *   section) gave it (to not parse it twice).
 * @param entries `[key, value]` pairs; keys lower-case `[a-z0-9_]`, values one line without an
 *   inline-comment look-alike (checked: see {@link assertWritable}).
 * @throws DuplicateSectionError when the section appears more than once.
 */
export function setKeys(source: string | IniDocument | SectionScope, section: string, entries: ReadonlyArray<readonly [string, string]>): string {
  assertWritable(section, entries);
  const parsed = typeof source === 'string' ? parseIniFor(source, section) : source;
  if ('whole' in parsed) return parsed.whole(setKeysIn(parsed.doc, section, entries));
  refuseSectionAlone(parsed);
  return setKeysIn(parsed, section, entries);
}

/**
 * {@link setKeys} as the change it makes to the file's text (the scope's part of it, rewritten):
 * for a writer that puts the bytes around it back as they were instead of encoding the whole text
 * again (credentials-file.ts).
 */
export function setKeysChange(scope: SectionScope, section: string, entries: ReadonlyArray<readonly [string, string]>): TextChange {
  assertWritable(section, entries);
  return { start: scope.start, end: scope.end, text: setKeysIn(scope.doc, section, entries) };
}

function setKeysIn(doc: IniDocument, section: string, entries: ReadonlyArray<readonly [string, string]>): string {
  const target = singleSection(doc, section);
  // Only the section's own lines are cut out of the text (lineAt), not the whole file's.
  const count = doc.starts.length - 1;
  const lastEol = count === 0 ? '\n' : lineAt(doc, count - 1).eol;
  const newLine = (key: string, value: string, eol: LineEnding, indent = ''): IniLine => ({ text: `${indent}${key} = ${value}`, eol });

  // The lines outside the section are copied from the text as one piece each (before, after): in a
  // file of a thousand profiles, joining every line again would cost more than the whole edit.
  if (!target) {
    const added = [`[${section}]`, ...entries.map(([k, v]) => `${k} = ${v}`)];
    const hadFinalNewline = lastEol !== '';
    // The last line gets an ending when it had none, then one blank line separates the new section.
    const separator = count === 0 ? '' : (hadFinalNewline ? '' : doc.eol) + doc.eol;
    return doc.bom + doc.source + separator + added.join(doc.eol) + (hadFinalNewline ? doc.eol : '');
  }

  // Line index of an entry to replace (or, with `line` undefined, drop) -> the end of its range.
  const replace = new Map<number, { end: number; line: IniLine | undefined }>();
  const missing: Array<readonly [string, string]> = [];
  for (const [key, value] of entries) {
    const matches = target.entries.filter((e) => e.key === key);
    const first = matches[0];
    if (!first) {
      missing.push([key, value]);
      continue;
    }
    // Keep the indentation: botocore reads a line indented deeper than the key above as part of it,
    // so changing it could turn a neighbour into a continuation line or ours into one.
    const indent = LEADING_BLANKS.exec(lineAt(doc, first.line).text)?.[0] ?? '';
    const eol = lineAt(doc, first.end - 1).eol;
    replace.set(first.line, { end: first.end, line: newLine(key, value, eol, indent) });
    for (const repeat of matches.slice(1)) replace.set(repeat.line, { end: repeat.end, line: undefined });
  }

  const insertAt = target.entries.at(-1)?.end ?? target.header + 1;
  // Every change is inside the target section: the lines around it are copied as they are.
  const out: IniLine[] = [];
  for (let i = target.header; i <= target.end; i += 1) {
    if (i === insertAt && missing.length > 0) {
      // Inserting after the file's last line: give it an ending, and the new last line none.
      const atEnd = i === count && out.at(-1)?.eol === '';
      if (atEnd) terminateLast(out, doc.eol);
      missing.forEach(([k, v], n) => out.push(newLine(k, v, atEnd && n === missing.length - 1 ? '' : doc.eol)));
    }
    if (i === target.end) break;
    const edit = replace.get(i);
    if (edit) {
      if (edit.line) out.push(edit.line);
      else if (edit.end === count) keepFinalNewlineState(out, lastEol);
      i = edit.end - 1;
      continue;
    }
    out.push(lineAt(doc, i));
  }
  const { source: text, starts } = doc;
  return doc.bom + text.slice(0, starts[target.header]) + serializeIni({ bom: '', lines: out }) + text.slice(starts[target.end]);
}

/** Options for {@link removeKeys}. */
export interface RemoveKeysOptions {
  /**
   * Also remove the section when nothing but blank lines is left in it: its header, and one blank
   * line just above the header (the separator {@link setKeys} adds when it creates a section).
   */
  readonly dropEmptySection?: boolean;
}

/**
 * Removes keys (top-level key lines with their continuation lines, every repeat) from one section.
 *
 * Returns the text unchanged when the section or the keys are not there. A file without a final
 * newline keeps having none. `source` is the file's text, or that text as {@link parseIni} gave it.
 *
 * @throws DuplicateSectionError when the section appears more than once.
 */
export function removeKeys(source: string | IniDocument, section: string, keys: readonly string[], options: RemoveKeysOptions = {}): string {
  const doc = typeof source === 'string' ? parseIni(source) : source;
  refuseSectionAlone(doc);
  const unchanged = (): string => (typeof source === 'string' ? source : serializeIni(doc));
  const target = singleSection(doc, section);
  if (!target) return unchanged();
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  const drop = new Set<number>();
  for (const entry of target.entries) {
    if (!wanted.has(entry.key)) continue;
    for (let i = entry.line; i < entry.end; i += 1) drop.add(i);
  }
  if (drop.size === 0) return unchanged();

  let emptied = options.dropEmptySection === true;
  for (let i = target.header + 1; i < target.end && emptied; i += 1) {
    if (!drop.has(i) && !BLANK.test(doc.lines[i]?.text ?? '')) emptied = false;
  }
  if (emptied) {
    // The section's own blank lines stay (they separate it from the next one); the blank line
    // above the header goes, so that removing a section we appended gives back the file as it was.
    drop.add(target.header);
    const above = target.header - 1;
    if (above >= 0 && BLANK.test(doc.lines[above]?.text ?? '')) drop.add(above);
  }

  const out = doc.lines.filter((_, i) => !drop.has(i));
  if (drop.has(doc.lines.length - 1)) keepFinalNewlineState(out, doc.lines.at(-1)?.eol);
  return serializeIni({ bom: doc.bom, lines: out });
}

/**
 * Checks what {@link setKeys} is about to write: a valid section name, lower-case keys, and values
 * on one line that both readers read back unchanged (no surrounding blanks, nothing the JS SDK
 * would take for an inline comment, not empty, which the JS SDK takes for a nested block).
 *
 * @throws MfaTrayError `invalid-input`, naming the section or the key, never the value.
 */
export function assertWritable(section: string, entries: ReadonlyArray<readonly [string, string]>): void {
  if (!isValidSectionName(section)) throw invalidInput('section', SECTION_NAME_RULE);
  for (const [key, value] of entries) {
    if (!/^[a-z0-9_]{1,64}$/.test(key)) throw invalidInput('key', 'keys are lower-case a-z, 0-9 and _');
    if (value === '' || /[\r\n\0]/.test(value) || value.trim() !== value || /\s[#;]/.test(value)) {
      throw invalidInput(key, 'a value must be a single non-empty line without surrounding blanks or " #" / " ;"');
    }
  }
}

/** A section-alone document given without its scope would give back the section as the whole file. */
function refuseSectionAlone(doc: IniDocument): void {
  if (SECTION_ALONE.has(doc)) throw new Error('a document of parseIniFor is edited through its scope (setKeys(scope, …)), never alone');
}

function singleSection(doc: IniDocument, name: string): IniSection | undefined {
  const found = findSections(doc, name);
  if (found.length > 1)
    throw new DuplicateSectionError(
      name,
      found.map((s) => s.header + 1),
    );
  return found[0];
}

/** A value as both readers agree on it: blanks trimmed, and the JS SDK's inline comment cut off. */
function cleanValue(raw: string): string {
  return trimBlanks(raw.split(/(?:^|\s)[;#]/)[0] ?? '');
}

/**
 * Trims ASCII blanks only: `String.prototype.trim` would also eat U+00A0 and U+0085, which in a
 * latin1 "binary" string are bytes of UTF-8 characters, not blanks.
 */
function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start += 1;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Gives the last line a line ending (when it had none) before lines are added after it. */
function terminateLast(lines: IniLine[], eol: '\n' | '\r\n'): void {
  const last = lines.at(-1);
  if (last && last.eol === '') lines[lines.length - 1] = { text: last.text, eol };
}

/** After removing the file's last line: a file that ended without a newline still does. */
function keepFinalNewlineState(out: IniLine[], originalLastEol: LineEnding | undefined): void {
  const last = out.at(-1);
  if (last && originalLastEol === '') out[out.length - 1] = { text: last.text, eol: '' };
}

/** Why the AWS CLI cannot read a file at all ({@link awsCliReadProblem}); the type is common/diagnosis.ts's, whose words say it. */
export type { AwsCliReadProblem };

const PY_LINES = /\r\n|\r|\n/;
/** What Python's str.strip() and \s take for whitespace: not JS's (which has U+FEFF, and lacks U+001C–001F and U+0085). */
const PY_SPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_TRIM = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const PY_INDENT = new RegExp(`^[${PY_SPACE}]*`);
const PY_OPTION = new RegExp(`^(.*?)[${PY_SPACE}]*[=:][${PY_SPACE}]*(.*)$`, 's');

/**
 * What makes botocore refuse the whole file ("Unable to parse config file": every `aws` command then
 * fails, whichever profile it uses), or undefined; the JS SDK's lenient reader shares none of it, so
 * that `doctor` names the line. Written after Python's `RawConfigParser._read` (strict, `=` and `:`
 * as delimiters, `#` and `;` as whole-line comments, Python's own whitespace) and botocore's
 * `_parse_nested`, checked against both by the tests:
 * bytes that are not UTF-8; a byte-order mark at the start (Python reads it as a character before
 * the first header); a line before any section; a line that is neither a header, a key nor a
 * comment; under a key with no value on its line (`s3 =`), an indented line without `=`; a key set
 * twice in one section (compared in lower case). A section repeated is {@link DuplicateSectionError}'s.
 */
export function awsCliReadProblem(input: string | Buffer): AwsCliReadProblem | undefined {
  if (typeof input !== 'string' && !isUtf8(input)) return { kind: 'not-utf8' };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.startsWith('\uFEFF') || text.startsWith('\xEF\xBB\xBF')) return { kind: 'bom' };
  let section: string | undefined;
  let keys = new Set<string>();
  /** The current key's indent (a line indented deeper continues its value), and whether its value is nested (`s3 =`). */
  let key: { readonly indent: number; readonly nested: boolean } | undefined;
  // Python's text files split lines at \n, \r\n and a lone \r alike.
  for (const [index, line] of text.split(PY_LINES).entries()) {
    const value = line.replace(PY_TRIM, '');
    if (value === '' || value.startsWith('#') || value.startsWith(';')) continue;
    const indent = (PY_INDENT.exec(line)?.[0] ?? '').length;
    if (section !== undefined && key !== undefined && indent > key.indent) {
      if (key.nested && !value.includes('=')) return { kind: 'nested-not-a-key', line: index + 1 };
      continue;
    }
    key = undefined;
    const header = /^\[(.+)\]/s.exec(value);
    if (header) {
      section = header[1];
      keys = new Set();
      continue;
    }
    if (section === undefined) return { kind: 'before-section', line: index + 1 };
    const option = PY_OPTION.exec(value);
    if (!option || option[1] === '') return { kind: 'not-a-key', line: index + 1 };
    const name = (option[1] as string).replace(PY_TRIM, '').toLowerCase();
    if (keys.has(name)) return { kind: 'key-twice', line: index + 1, section, key: name };
    keys.add(name);
    key = { indent, nested: option[2] === '' };
  }
  return undefined;
}
