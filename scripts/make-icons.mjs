#!/usr/bin/env node
// `npm run icons`: renders every app and tray icon from the one vector source, build/icon-source.svg,
// with resvg (and png-to-ico for Windows). The output is committed; run this after changing the
// source. Output:
//
//   build/icon.png               1024 px, the app icon (electron-builder makes macOS's .icns from it)
//   build/icon.ico               Windows app icon, 16–256 px
//   build/icons/<n>x<n>.png      Linux app icons, 16–512 px
//   app/tray/mac/<look>Template.png, <look>Template@2x.png   macOS menu bar: template images, 16/32 px
//   app/tray/win/<look>.ico      Windows notification area, 16–48 px
//   app/tray/linux/<look>.png, <look>@2x.png                 Linux tray, 24/48 px
//
// <look> is ok, expiring or problem: the shield alone, with a clock badge, with an alert badge.
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = readFileSync(join(root, 'build', 'icon-source.svg'), 'utf8');
const defs = source.match(/<defs>[\s\S]*?<\/defs>/)?.[0].slice('<defs>'.length, -'</defs>'.length);
if (!defs) throw new Error('build/icon-source.svg has no <defs>');

const LOOKS = ['ok', 'expiring', 'problem'];

/** An SVG document of the given size over the source's shapes. */
function svg(viewBox, size, extraDefs, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" width="${size}" height="${size}"><defs>${defs}${extraDefs}</defs>${body}</svg>`;
}

function render(document, size) {
  return new Resvg(document, { fitTo: { mode: 'width', value: size }, shapeRendering: 2 }).render().asPng();
}

/**
 * The tray glyph of a look. `template`: black and alpha only (macOS tints it for light and dark
 * menu bars), the keyhole and the badge's mark cut out. Otherwise in colour, for Windows and Linux.
 */
function trayGlyph(look, template) {
  const badged = look !== 'ok';
  const mark =
    look === 'expiring'
      ? (color) => `<use href="#clock" fill="none" stroke="${color}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>`
      : (color) => `<use href="#alert" fill="${color}"/>`;
  const shieldMask = `<mask id="shield-mask"><rect width="24" height="24" fill="#fff"/>${template ? '<use href="#keyhole" fill="#000"/>' : ''}${badged ? '<use href="#badge-gap" fill="#000"/>' : ''}</mask>`;
  if (template) {
    const badgeMask = badged ? `<mask id="badge-mask"><rect width="24" height="24" fill="#fff"/>${mark('#000')}</mask>` : '';
    const body = `<use href="#shield" fill="#000" mask="url(#shield-mask)"/>${badged ? '<use href="#badge" fill="#000" mask="url(#badge-mask)"/>' : ''}`;
    return (size) => svg('0 0 24 24', size, shieldMask + badgeMask, body);
  }
  const badgeColor = look === 'expiring' ? '#F2A516' : '#D93025';
  const markColor = look === 'expiring' ? '#1E1E1E' : '#FFFFFF';
  const body =
    `<g mask="url(#shield-mask)"><use href="#shield" fill="#2B6CD4" stroke="#1A4A99" stroke-width="0.6"/><use href="#keyhole" fill="#FFFFFF"/></g>` +
    (badged ? `<use href="#badge" fill="${badgeColor}"/>${mark(markColor)}` : '');
  return (size) => svg('0 0 24 24', size, shieldMask, body);
}

/** The application icon: the shield in amber on a dark rounded square (macOS's 824-of-1024 grid). */
function appIcon(size) {
  const body =
    '<rect x="100" y="100" width="824" height="824" rx="185" fill="url(#app-background)"/>' +
    '<g transform="translate(512 522) scale(30) translate(-12 -12)"><use href="#shield" fill="url(#app-shield)"/><use href="#keyhole" fill="#131F33"/></g>';
  return svg('0 0 1024 1024', size, '', body);
}

const written = [];
function write(path, bytes) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, bytes);
  written.push(relative(root, full));
}

// App icons.
write('build/icon.png', render(appIcon(1024), 1024));
write('build/icon.ico', await pngToIco([256, 128, 64, 48, 32, 24, 16].map((s) => render(appIcon(s), s))));
for (const s of [16, 32, 48, 64, 128, 256, 512]) write(`build/icons/${s}x${s}.png`, render(appIcon(s), s));

// Tray icons.
for (const look of LOOKS) {
  const template = trayGlyph(look, true);
  write(`app/tray/mac/${look}Template.png`, render(template(16), 16));
  write(`app/tray/mac/${look}Template@2x.png`, render(template(32), 32));
  const colour = trayGlyph(look, false);
  write(`app/tray/win/${look}.ico`, await pngToIco([16, 20, 24, 32, 40, 48].map((s) => render(colour(s), s))));
  write(`app/tray/linux/${look}.png`, render(colour(24), 24));
  write(`app/tray/linux/${look}@2x.png`, render(colour(48), 48));
}

console.log(`icons: ${written.length} files from build/icon-source.svg\n  ${written.join('\n  ')}`);
