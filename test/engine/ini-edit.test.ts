import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isValidSectionName } from '../../main/common/aws-names';
import { isMfaTrayError } from '../../main/common/errors';
import {
  awsCliReadProblem,
  DuplicateSectionError,
  findSections,
  parseIni,
  parseIniFor,
  parseIniWhole,
  removeKeys,
  sectionValues,
  serializeIni,
  setKeys,
  type IniDocument,
} from '../../main/engine/files/ini-edit';

import { credentialsFile, SECTION_NAMES, type GeneratedFile } from '../fixtures/credentials/arbitrary-credentials';

const lf = (...lines: string[]): string => lines.map((l) => `${l}\n`).join('');
const entriesOf = (text: string, section: string): string[] => (findSections(parseIni(text), section)[0]?.entries ?? []).map((e) => `${e.key}=${e.value}`);

describe('parseIni', () => {
  test('gives back the exact input when serialised', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), (file) => {
        assert.equal(serializeIni(parseIni(file.text)), file.text);
      }),
    );
  });

  test('reads a file by its headers as it would line by line', () => {
    // What a document says, as plain data: the quick reading's sections are scanned when read.
    const shape = (doc: IniDocument): unknown => ({
      bom: doc.bom,
      eol: doc.eol,
      starts: doc.starts,
      lines: doc.lines,
      sections: doc.sections.map((s) => ({ name: s.name, header: s.header, end: s.end, entries: s.entries.map((e) => ({ ...e, value: e.value })) })),
    });
    let quick = 0;
    fc.assert(
      fc.property(credentialsFile({ wild: true }), fc.boolean(), (file, crlf) => {
        const text = crlf ? file.text.replace(/\n/g, '\r\n') : file.text;
        if (!/(?:^|\n)[ \t\f\v\r]+\[/.test(text)) quick += 1;
        assert.deepEqual(shape(parseIni(text)), shape(parseIniWhole(text)));
      }),
      { numRuns: 300 },
    );
    assert.ok(quick > 100, `only ${quick} of the files were read by their headers`);
    // And the edge cases: no final newline, a header on the last line, stray carriage returns, a BOM.
    for (const text of ['', '[a]', 'k = 1\n[a]', '[a]\nk = 1', '[a]\r\nk = 1\r\n[b]\n', '\uFEFF[a]\nk=1\n', 'x = 1\r\r\n[a]\rk = 2\n', '[a]\n\n\n']) {
      assert.deepEqual(shape(parseIni(text)), shape(parseIniWhole(text)), JSON.stringify(text));
    }
  });

  test('keeps each line ending, and notes a last line without one', () => {
    const doc = parseIni('[a]\r\nk = 1\nj = 2');
    assert.deepEqual(doc.lines, [
      { text: '[a]', eol: '\r\n' },
      { text: 'k = 1', eol: '\n' },
      { text: 'j = 2', eol: '' },
    ]);
  });

  test('takes the line ending most lines use as the one for new lines', () => {
    assert.equal(parseIni('a\r\nb\r\nc\n').eol, '\r\n');
    assert.equal(parseIni('a\nb\nc\r\n').eol, '\n');
    assert.equal(parseIni('').eol, '\n');
  });

  test('recognises a byte-order mark, decoded or as latin1 bytes', () => {
    assert.equal(parseIni('\uFEFF[a]\n').bom, '\uFEFF');
    assert.equal(parseIni('\xEF\xBB\xBF[a]\n').bom, '\xEF\xBB\xBF');
    assert.equal(findSections(parseIni('\xEF\xBB\xBF[a]\n'), 'a').length, 1);
  });

  test('reads keys case-insensitively, with any spacing, and with = or :', () => {
    assert.deepEqual(entriesOf(lf('[a]', 'AWS_Session_Token=t1', 'Region :  eu-west-1', 'output\t=\tjson  '), 'a'), [
      'aws_session_token=t1',
      'region=eu-west-1',
      'output=json',
    ]);
  });

  test('cuts an inline comment off a value as the JS SDK does', () => {
    assert.deepEqual(entriesOf(lf('[a]', 'region = eu-west-1 # Ireland', 'k = a#b'), 'a'), ['region=eu-west-1', 'k=a#b']);
  });

  test('does not count nested s3 sub-keys as keys of the section', () => {
    const text = lf('[a]', 's3 =', '  aws_session_token = sub', '', '  # comment', '  max_queue_size = 5', 'region = x');
    const [entry] = findSections(parseIni(text), 'a')[0]?.entries ?? [];
    assert.deepEqual(entriesOf(text, 'a'), ['s3=', 'region=x']);
    assert.equal(entry?.end, 6, 'the s3 entry spans its sub-keys, blank and comment lines between them included');
  });

  test('reads a line indented deeper than the key above as part of that key, as botocore does', () => {
    assert.deepEqual(entriesOf(lf('[a]', 'region = x', '  aws_session_token = t'), 'a'), ['region=x']);
  });

  test('reads indented key lines at the same depth as keys', () => {
    assert.deepEqual(entriesOf(lf('[a]', '  k = 1', '  j = 2'), 'a'), ['k=1', 'j=2']);
  });

  test('reads an indented [x] under a key as part of that key, not as a header', () => {
    assert.deepEqual(
      parseIni(lf('[a]', 'k = 1', '  [b]')).sections.map((s) => s.name),
      [undefined, 'a'],
    );
  });

  test('names a section by the text between [ and the last ], as botocore does', () => {
    const names = parseIni(lf('[a]', '[ b ]', '[c] ; comment', '[d]]', '[]', '[e')).sections.map((s) => s.name);
    assert.deepEqual(names, [undefined, 'a', ' b ', 'c', 'd]', undefined, undefined]);
  });

  test('finds every copy of a repeated section', () => {
    assert.equal(findSections(parseIni(lf('[a]', '[b]', '[a]')), 'a').length, 2);
  });
});

describe('parseIniFor', () => {
  // An edit and a read of one section through the section's own document, against the whole file's.
  const outcome = (edit: () => string): unknown => {
    try {
      return edit();
    } catch (error) {
      if (error instanceof DuplicateSectionError) return { duplicate: error.section, lines: error.lineNumbers };
      throw error;
    }
  };
  const entries: ReadonlyArray<readonly [string, string]> = [
    ['aws_session_token', 'new-token'],
    ['x_added', 'v'],
  ];
  const sameAsWhole = (text: string, name: string): boolean => {
    const scope = parseIniFor(text, name);
    const whole = parseIni(text);
    assert.deepEqual(
      outcome(() => setKeys(scope, name, entries)),
      outcome(() => setKeys(whole, name, entries)),
      JSON.stringify({ text, name }),
    );
    if (findSections(whole, name).length < 2) assert.deepEqual(sectionValues(scope.doc, name), sectionValues(whole, name), JSON.stringify({ text, name }));
    // Read by the section alone: the other sections' lines were never split.
    return scope.doc.source.length < whole.source.length;
  };

  test("edits and reads a section as the whole file's parse does", () => {
    let alone = 0;
    fc.assert(
      fc.property(credentialsFile({ wild: true }), fc.constantFrom(...SECTION_NAMES), (file, name) => {
        if (sameAsWhole(file.text, name)) alone += 1;
      }),
      { numRuns: 400 },
    );
    // The section's own document was used, not only the whole file's.
    assert.ok(alone > 40, `only ${alone} of the files were read by the section alone`);
  });

  test('a section-alone document is edited only through its scope: alone, setKeys and removeKeys refuse it', () => {
    const text = lf('[a]', 'k = 1', '[b]', 'x = 2', '[c]', 'y = 3');
    const scope = parseIniFor(text, 'b');
    assert.equal(setKeys(scope, 'b', [['x', '9']]), lf('[a]', 'k = 1', '[b]', 'x = 9', '[c]', 'y = 3'));
    // Alone, its edit would be the section's text only: written as the file, it would drop the others.
    assert.throws(() => setKeys(scope.doc, 'b', [['x', '9']]), /through its scope/);
    assert.throws(() => removeKeys(scope.doc, 'b', ['x']), /through its scope/);
  });

  test('finds the header line as botocore reads it, and falls back where only the whole file can tell', () => {
    const cases: Array<[string, string, boolean]> = [
      // [text, section, read by the section alone]
      [lf('[a]', 'k = 1', '[b]', 'aws_session_token = t'), 'b', true],
      [lf('[a]', 'k = 1', '[b]', 'aws_session_token = t'), 'a', true],
      ['[a]\r\nk = 1\r\n[b]\r\nj = 2', 'b', true], // CRLF, no final newline, last section
      ['[a]\nk = 1\n[b]\r\nj = 2\r\n[c]\r\n', 'a', true], // the file's line ending for new lines, not the section's
      ['\uFEFF[a]\nk = 1\n[b]\n', 'b', true],
      ['\xEF\xBB\xBF[a]\nk = 1\n[b]\n', 'a', true],
      [lf('[a]x]', 'k = 1', '[a]', 'j = 2'), 'a', true], // "[a]x]" is the section "a]x"
      [lf('[b]', '[a] # c', 'k = 1'), 'a', true],
      [lf('[b]', 'note = see [a]', '[a]', 'k = 1'), 'a', true], // "[a]" inside a line is no header
      [lf('[a]', 'k = 1', '[a]', 'j = 2'), 'a', false], // twice: the whole file's error
      [lf('[a]', 'k = 1'), 'b', false], // missing: appended to the whole file
      [lf('[b]', 'k =', '  [a]', '[a]', 'j = 2'), 'a', false], // an indented "[": only the whole pass can tell
      ['', 'a', false],
      [lf('[team/ci]', 'k = 1', '[a.b@c]', 'j = 2'), 'a.b@c', true],
    ];
    for (const [text, name, alone] of cases) assert.equal(sameAsWhole(text, name), alone, JSON.stringify({ text, name }));
  });
});

describe('sectionValues', () => {
  test('merges repeated keys and sections with the last one winning, as the JS SDK does', () => {
    const values = sectionValues(parseIni(lf('[a]', 'k = 1', 'k = 2', '[b]', '[a]', 'j = 3')), 'a');
    assert.deepEqual(Object.fromEntries(values ?? []), { k: '2', j: '3' });
  });

  test('is undefined for a missing section', () => {
    assert.equal(sectionValues(parseIni(lf('[a]')), 'b'), undefined);
  });
});

describe('setKeys', () => {
  test('replaces a key line in place, matched case-insensitively with any spacing or a colon', () => {
    const before = lf('[a]', '# c', 'AWS_SESSION_TOKEN :  old', 'region = x');
    assert.equal(setKeys(before, 'a', [['aws_session_token', 'new']]), lf('[a]', '# c', 'aws_session_token = new', 'region = x'));
  });

  test('keeps the indentation and the line ending of a replaced line', () => {
    const before = '[a]\r\n  k = 1\r\n  j = 2\n';
    assert.equal(setKeys(before, 'a', [['k', 'new']]), '[a]\r\n  k = new\r\n  j = 2\n');
  });

  test('removes later repeats of a key, which botocore rejects and the JS SDK would read instead', () => {
    const before = lf('[a]', 'k = 1', 'j = 2', 'K = 3');
    assert.equal(setKeys(before, 'a', [['k', 'new']]), lf('[a]', 'k = new', 'j = 2'));
  });

  test('replaces a key together with the lines that continue it', () => {
    const before = lf('[a]', 'k =', '  sub = 1', 'j = 2');
    assert.equal(setKeys(before, 'a', [['k', 'new']]), lf('[a]', 'k = new', 'j = 2'));
  });

  test('appends missing keys after the last key line of the section, in the order given', () => {
    const before = lf('[a]', 'region = x', '# trailing comment', '', '[b]');
    assert.equal(
      setKeys(before, 'a', [
        ['k', '1'],
        ['j', '2'],
      ]),
      lf('[a]', 'region = x', 'k = 1', 'j = 2', '# trailing comment', '', '[b]'),
    );
  });

  test('appends after a nested block, unindented, so that neither reader takes them for sub-keys', () => {
    const before = lf('[a]', 's3 =', '  max_queue_size = 5', '[b]');
    assert.equal(setKeys(before, 'a', [['k', '1']]), lf('[a]', 's3 =', '  max_queue_size = 5', 'k = 1', '[b]'));
  });

  test('puts keys right after the header of a section without keys', () => {
    const before = lf('[a]', '# about b', '[b]');
    assert.equal(setKeys(before, 'a', [['k', '1']]), lf('[a]', 'k = 1', '# about b', '[b]'));
  });

  test('creates a missing section at the end, after a blank line', () => {
    assert.equal(setKeys(lf('[b]', 'j = 2'), 'a', [['k', '1']]), lf('[b]', 'j = 2', '', '[a]', 'k = 1'));
  });

  test('creates the first section of an empty file without a blank line above it', () => {
    assert.equal(setKeys('', 'a', [['k', '1']]), lf('[a]', 'k = 1'));
  });

  test('writes new lines with the line ending most of the file uses', () => {
    assert.equal(setKeys('[b]\r\nj = 2\r\n', 'a', [['k', '1']]), '[b]\r\nj = 2\r\n\r\n[a]\r\nk = 1\r\n');
    assert.equal(setKeys('[a]\r\nj = 2\r\n', 'a', [['k', '1']]), '[a]\r\nj = 2\r\nk = 1\r\n');
  });

  test('leaves a file that ends without a newline ending without one', () => {
    assert.equal(setKeys('[a]\nj = 2', 'a', [['k', '1']]), '[a]\nj = 2\nk = 1');
    assert.equal(setKeys('[b]\nj = 2', 'a', [['k', '1']]), '[b]\nj = 2\n\n[a]\nk = 1');
    assert.equal(setKeys('[a]\nk = 0', 'a', [['k', '1']]), '[a]\nk = 1');
    assert.equal(setKeys('[a]\nk = 0\nk = 2', 'a', [['k', '1']]), '[a]\nk = 1');
  });

  test('keeps a byte-order mark', () => {
    assert.equal(setKeys('\uFEFF[a]\n', 'a', [['k', '1']]), '\uFEFF[a]\nk = 1\n');
  });

  test('refuses a section that appears twice, naming its lines', () => {
    assert.throws(
      () => setKeys(lf('[a]', '[b]', '[a]'), 'a', [['k', '1']]),
      (error: unknown) => error instanceof DuplicateSectionError && error.section === 'a' && error.lineNumbers.join() === '1,3',
    );
  });

  test('refuses a section name that could break the file, naming the field', () => {
    for (const name of ['a]', 'a\nb', 'a b', '', 'DEFAULT']) {
      assert.throws(
        () => setKeys('', name, [['k', '1']]),
        (error: unknown) => isMfaTrayError(error, 'invalid-input') && error.field === 'section',
        name,
      );
    }
  });

  test('refuses a value that would read back differently, without quoting the value', () => {
    for (const value of ['', 'SECRET\nX', 'SECRET\rX', ' SECRET', 'SECRET ', 'SECRET #X', 'SECRET ;X']) {
      assert.throws(
        () => setKeys('', 'a', [['k', value]]),
        (error: unknown) => isMfaTrayError(error, 'invalid-input') && error.field === 'k' && !error.message.includes('SECRET'),
        JSON.stringify(value),
      );
    }
  });

  test('refuses a key that is not lower-case letters, digits and _', () => {
    assert.throws(
      () => setKeys('', 'a', [['K', '1']]),
      (error: unknown) => isMfaTrayError(error, 'invalid-input'),
    );
    assert.throws(
      () => setKeys('', 'a', [['a=b', '1']]),
      (error: unknown) => isMfaTrayError(error, 'invalid-input'),
    );
  });
});

describe('removeKeys', () => {
  test('removes a key with every repeat, and nothing else', () => {
    assert.equal(removeKeys(lf('[a]', 'k = 1', '# c', 'j = 2', 'K: 3'), 'a', ['k']), lf('[a]', '# c', 'j = 2'));
  });

  test('leaves the text as it is when the section or the key is not there', () => {
    const text = lf('[a]', 'j = 2');
    assert.equal(removeKeys(text, 'b', ['j']), text);
    assert.equal(removeKeys(text, 'a', ['k'], { dropEmptySection: true }), text);
  });

  test('with dropEmptySection, removes a section left empty, with the blank line above it', () => {
    const before = lf('[b]', 'j = 2', '', '[a]', 'k = 1', '', '[c]');
    assert.equal(removeKeys(before, 'a', ['k'], { dropEmptySection: true }), lf('[b]', 'j = 2', '', '[c]'));
  });

  test('with dropEmptySection, keeps a section that still holds a comment or another key', () => {
    assert.equal(removeKeys(lf('[a]', '# mine', 'k = 1'), 'a', ['k'], { dropEmptySection: true }), lf('[a]', '# mine'));
    assert.equal(removeKeys(lf('[a]', 'r = 1', 'k = 1'), 'a', ['k'], { dropEmptySection: true }), lf('[a]', 'r = 1'));
  });

  test('leaves a file that ends without a newline ending without one', () => {
    assert.equal(removeKeys('[a]\nj = 2\nk = 1', 'a', ['k']), '[a]\nj = 2');
    assert.equal(removeKeys('[b]\n\n[a]\nk = 1', 'a', ['k'], { dropEmptySection: true }), '[b]');
  });

  test('does not remove nested sub-keys that share a name', () => {
    const text = lf('[a]', 's3 =', '  k = 1');
    assert.equal(removeKeys(text, 'a', ['k']), text);
  });
});

describe('isValidSectionName', () => {
  test('accepts 1 to 64 characters of A-Za-z0-9 and _ . @ + % : / -', () => {
    for (const name of ['default', 'dev', 'a.b@c+d%e:f/g-h_i', 'X'.repeat(64)]) assert.equal(isValidSectionName(name), true, name);
  });

  test('refuses spaces, brackets, line breaks, other characters and overlong names', () => {
    for (const name of ['', 'a b', 'a]', '[a', 'a\n', 'a\r', 'a=b', 'a#b', 'ä', 'X'.repeat(65), 'profile dev']) {
      assert.equal(isValidSectionName(name), false, JSON.stringify(name));
    }
  });

  test('refuses names a reader treats specially: DEFAULT (botocore) and Object.prototype members (JS SDK)', () => {
    for (const name of ['DEFAULT', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) assert.equal(isValidSectionName(name), false, name);
  });
});

describe('properties over generated files', () => {
  const target = fc.constantFrom(...SECTION_NAMES);
  const chunksOf = (file: GeneratedFile, name: string) => file.chunks.filter((c) => c.name === name);

  test('setKeys never changes a byte outside the target section', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, (file, name) => {
        fc.pre(chunksOf(file, name).length === 1);
        const at = file.chunks.findIndex((c) => c.name === name);
        const before =
          file.bom +
          file.chunks
            .slice(0, at)
            .map((c) => c.text)
            .join('');
        const after = file.chunks
          .slice(at + 1)
          .map((c) => c.text)
          .join('');
        const result = setKeys(file.text, name, [
          ['aws_session_token', 'NEW'],
          ['k', 'v'],
        ]);
        assert.ok(result.startsWith(before), 'bytes before the section');
        assert.ok(result.endsWith(after), 'bytes after the section');
      }),
      { numRuns: 300 },
    );
  });

  test('setKeys on a missing section only adds at the end', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, (file, name) => {
        fc.pre(chunksOf(file, name).length === 0);
        const result = setKeys(file.text, name, [['k', 'v']]);
        const original = file.text.endsWith('\n') || file.text === file.bom ? file.text : `${file.text}${parseIni(file.text).eol}`;
        assert.ok(result.startsWith(original));
      }),
      { numRuns: 300 },
    );
  });

  test('setKeys twice gives the same text as once', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, (file, name) => {
        fc.pre(chunksOf(file, name).length <= 1);
        const once = setKeys(file.text, name, [
          ['aws_session_token', 'NEW'],
          ['k', 'v'],
        ]);
        assert.equal(
          setKeys(once, name, [
            ['aws_session_token', 'NEW'],
            ['k', 'v'],
          ]),
          once,
        );
      }),
      { numRuns: 300 },
    );
  });

  test('removing a section that setKeys created gives back the original text', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, (file, name) => {
        fc.pre(chunksOf(file, name).length === 0);
        const written = setKeys(file.text, name, [
          ['k', 'v'],
          ['j', 'w'],
        ]);
        assert.equal(removeKeys(written, name, ['k', 'j'], { dropEmptySection: true }), file.text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('awsCliReadProblem', () => {
  // Each text read by Python's RawConfigParser, as botocore reads it: what it refuses, we name.
  const TEXTS: readonly (readonly [string, string | undefined])[] = [
    ['[a]\nk = v\n', undefined],
    ['\uFEFF[a]\nk = v\n', 'bom'],
    ['k = v\n[a]\n', 'before-section'],
    ['# note\n; note\n\n[a]\nk = v\n', undefined],
    ['[a]\nk = v\nno equals here\n', 'not-a-key'],
    ['[a]\nk = v\n= x\n', 'not-a-key'],
    ['[a]\nregion = a\nRegion = b\n', 'key-twice'],
    ['[a]\nk = v\n[b]\nk = w\n', undefined],
    ['[a]\nk: v\nj : w\n', undefined],
    ['[a]\ns3 =\n  max_concurrent_requests = 20\n', undefined],
    // botocore's own parse of nested values (seen in review: passed here, refused by the AWS CLI).
    ['[a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style: path\n', 'nested-not-a-key'],
    ['[a]\nk = v\n  a continuation without equals\n', undefined],
    // A byte-order mark further on (two files joined): Python does not take it for whitespace.
    ['[a]\nk = v\n\uFEFF[b]\nj = w\n', 'not-a-key'],
    // …but takes U+001C for it, as JS does not.
    ['[a]\nk = v\n\u001c\n', undefined],
    ['[a]\nk = v\n  [b]\n', undefined],
    ['[a]\r\nk = v\r\nk = w\r\n', 'key-twice'],
    ['[a]\rk = v\rk = w\r', 'key-twice'],
    ['[a] junk\nk = v\n', undefined],
    ['[a]\n  k = v\n  j = w\n', undefined],
    ['[a]\nk = v\n\n  continued after a blank line\n', undefined],
  ];

  test('refuses what botocore refuses, line and all, and nothing else', () => {
    const script = [
      'import configparser, io, json, sys',
      'out = []',
      'for text in json.load(sys.stdin):',
      '    p = configparser.RawConfigParser()',
      '    try:',
      // As botocore opens the file: universal newlines (a lone CR ends a line too).
      '        p.read_file(io.StringIO(text, newline=None))',
      // …and botocore's own parse of a value that starts on the next line (configloader._parse_nested).
      '        for s in p.sections():',
      '            for k, v in p.items(s):',
      "                if v.startswith('\\n'):",
      "                    [line.strip().split('=', 1)[1] for line in v.splitlines() if line.strip()]",
      '        out.append(None)',
      '    except (configparser.Error, IndexError) as e:',
      '        out.append(type(e).__name__)',
      'print(json.dumps(out))',
    ].join('\n');
    const python = spawnSync('python3', ['-c', script], { input: JSON.stringify(TEXTS.map(([text]) => text)), encoding: 'utf8' });
    assert.equal(python.status, 0, `python3 is needed for this test (apt-get install -y python3): ${python.stderr}`);
    const botocore = JSON.parse(python.stdout) as (string | null)[];
    for (const [i, [text, expected]] of TEXTS.entries()) {
      const problem = awsCliReadProblem(text);
      assert.equal(problem?.kind, expected, JSON.stringify(text));
      assert.equal(botocore[i] !== null, expected !== undefined, `python and we disagree on ${JSON.stringify(text)}: ${botocore[i]}`);
    }
    assert.deepEqual(awsCliReadProblem('[a]\nk = v\nK = w\n'), { kind: 'key-twice', line: 3, section: 'a', key: 'k' });
    assert.deepEqual(awsCliReadProblem('[a]\nk = v\n\nnope\n'), { kind: 'not-a-key', line: 4 });
    // Bytes that are not UTF-8: Python's read stops with UnicodeDecodeError.
    assert.deepEqual(awsCliReadProblem(Buffer.from('[a]\nk = caf\xe9\n', 'latin1')), { kind: 'not-utf8' });
    assert.equal(awsCliReadProblem(Buffer.from('[a]\nk = café\n', 'utf8')), undefined);
  });
});
