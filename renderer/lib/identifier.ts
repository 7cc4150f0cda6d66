/**
 * Long identifiers (ARNs, device serials) as text that wraps only after `:` or `/`, never at a
 * hyphen or inside a name, whatever the window's language: each piece (up to and including a run
 * of `:`/`/`) is kept whole (`white-space: nowrap`) and a `<wbr>` between two pieces is the only
 * place a line may break. The text in the page is the value unchanged, so selecting and copying it
 * gives the whole value; a piece longer than the line is cut with an ellipsis by its container
 * (styles.css), and the title holds the whole value.
 *
 * A long piece is two spans, its head and the end it keeps: where styles.css lets it (the code
 * prompt's device), a piece too long for its line is cut in its middle, so that how a device's name
 * ends (`…-phone-backup`), which often tells it from the user's other devices, stays in view.
 */
import { el } from './dom';

/** The pieces an identifier may break between: `arn:` `aws:` `iam::` `123456789012:` `mfa/` `alice-phone`. */
export function identifierPieces(value: string): string[] {
  return value.match(/[^:/]*[:/]+|[^:/]+/g) ?? [];
}

/** About how many characters of a long piece's end stay in view when it is cut in its middle. */
const KEPT_END = 16;

/**
 * A long piece's head and the end kept in view: about {@link KEPT_END} characters, starting at a
 * word of the name (after a `-`, `_` or `.`) when one starts near there. Undefined for a short piece.
 */
export function pieceEnds(piece: string): readonly [head: string, end: string] | undefined {
  if (piece.length <= KEPT_END * 2) return undefined;
  let start = piece.length - KEPT_END;
  for (let at = piece.length - KEPT_END - 4; at <= piece.length - 8; at++) {
    if (/[-_.]/.test(piece[at] ?? '')) {
      start = at;
      break;
    }
  }
  return [piece.slice(0, start), piece.slice(start)];
}

/** An identifier as a `span.ident`: its pieces, with a `<wbr>` between each two. */
export function identifier(value: string): HTMLSpanElement {
  const span = el('span', { className: 'ident', attrs: { title: value, translate: 'no' } });
  identifierPieces(value).forEach((piece, index) => {
    if (index > 0) span.append(el('wbr'));
    const ends = pieceEnds(piece);
    span.append(
      ends === undefined
        ? el('span', { className: 'ident-piece' }, piece)
        : el(
            'span',
            { className: 'ident-piece ident-long' },
            el('span', { className: 'ident-head' }, ends[0]),
            el('span', { className: 'ident-end' }, ends[1]),
          ),
    );
  });
  return span;
}
