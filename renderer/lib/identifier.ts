/**
 * Long identifiers (ARNs, device serials) as text that wraps only after `:` or `/`, never at a
 * hyphen or inside a name, whatever the window's language: each piece (up to and including a run
 * of `:`/`/`) is kept whole (`white-space: nowrap`) and a `<wbr>` between two pieces is the only
 * place a line may break. The text in the page is the value unchanged, so selecting and copying it
 * gives the whole value; a piece longer than the line is cut with an ellipsis by its container
 * (styles.css), and the title holds the whole value.
 */
import { el } from './dom';

/** The pieces an identifier may break between: `arn:` `aws:` `iam::` `123456789012:` `mfa/` `alice-phone`. */
export function identifierPieces(value: string): string[] {
  return value.match(/[^:/]*[:/]+|[^:/]+/g) ?? [];
}

/** An identifier as a `span.ident`: its pieces, with a `<wbr>` between each two. */
export function identifier(value: string): HTMLSpanElement {
  const span = el('span', { className: 'ident', attrs: { title: value, translate: 'no' } });
  identifierPieces(value).forEach((piece, index) => {
    if (index > 0) span.append(el('wbr'));
    span.append(el('span', { className: 'ident-piece' }, piece));
  });
  return span;
}
