/**
 * Packaging: electron-builder.yml is valid against electron-builder's own JSON schema (with the ajv
 * electron-builder itself uses) and says what the issue asks; the icons it and the tray need exist,
 * at the right sizes, made from the one vector source.
 */
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { APP_ID } from '../../main/electron/app-lifecycle';
import { trayIconFile } from '../../main/electron/tray-icons';
import { TRAY_LOOKS } from '../../main/electron/tray-look';
import { PRODUCT_NAME } from '../../main/engine/files/paths';

const root = process.cwd();
// electron-builder's own validator and YAML reader, as it loads them (app-builder-lib's dependencies).
const builderRequire = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
const Ajv = builderRequire('ajv').default as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const schema = JSON.parse(readFileSync(builderRequire.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed YAML document
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Config;

// As app-builder-lib's schemaValidator does, less its type coercion: the file must be right as written.
let check: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;
function validate(data: unknown) {
  check ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return { valid: check(data), errors: check.errors };
}

/** Width and height from a PNG's IHDR. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', file);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** The sizes an .ico holds (0 in the directory means 256). */
function icoSizes(file: string): number[] {
  const bytes = readFileSync(file);
  assert.equal(bytes.readUInt16LE(2), 1, `${file} is an icon`);
  return Array.from({ length: bytes.readUInt16LE(4) }, (_, i) => bytes[6 + 16 * i] || 256).sort((a, b) => a - b);
}

/** A PNG's RGBA pixels (decoded by resvg, which the icon script renders with). */
function pixels(file: string): Buffer {
  const [width, height] = pngSize(file);
  const href = `data:image/png;base64,${readFileSync(file).toString('base64')}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="${href}"/></svg>`;
  return Buffer.from(new Resvg(svg).render().pixels);
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's JSON schema", () => {
    const { valid, errors } = validate(config);
    assert.ok(valid, JSON.stringify(errors, null, 2));
  });

  it('is really checked: a misspelt option is refused', () => {
    assert.equal(validate({ ...config, mac: { ...config.mac, hardendRuntime: true } }).valid, false);
    assert.equal(validate({ ...config, deb: { ...config.deb, depends: 'libsecret-1-0' } }).valid, false);
  });

  it('packs app/ with build/ as resources, under the names the code uses', () => {
    // Not output: dist, which electron-builder would leave out of app/ (app/dist is the whole app).
    assert.deepEqual(config.directories, { app: 'app', buildResources: 'build', output: 'release' });
    assert.equal(config.appId, APP_ID);
    assert.equal(config.productName, PRODUCT_NAME);
    const pkg = JSON.parse(readFileSync(join(root, 'app', 'package.json'), 'utf8'));
    assert.equal(pkg.productName, PRODUCT_NAME);
    assert.equal(pkg.main, 'dist/main.mjs');
    assert.equal(pkg.imports['#keytar'], './dist/native/keytar/lib/keytar.js', 'keytar is shipped as its runtime files, imported as #keytar');
    assert.ok(config.files.includes('tray/**/*'), 'the tray icons are packed');
  });

  it("unpacks the keychain module's native code from the asar", () => {
    assert.ok(config.asarUnpack.some((p: string) => p.includes('keytar') && p.endsWith('.node')));
  });

  it('builds a tray-only, hardened macOS app as dmg and zip for arm64 and x64', () => {
    const targets = Object.fromEntries(config.mac.target.map((t: { target: string; arch: string[] }) => [t.target, [...t.arch].sort()]));
    assert.deepEqual(targets, { dmg: ['arm64', 'x64'], zip: ['arm64', 'x64'] });
    assert.equal(config.mac.extendInfo.LSUIElement, true);
    assert.equal(config.mac.hardenedRuntime, true);
    const entitlements = readFileSync(join(root, config.mac.entitlements), 'utf8');
    assert.match(entitlements, /<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    assert.doesNotMatch(entitlements, /disable-library-validation|allow-dyld-environment-variables/);
  });

  it('builds an NSIS installer for Windows and AppImage + deb for Linux, the deb needing libsecret', () => {
    assert.deepEqual(
      config.win.target.map((t: { target: string }) => t.target),
      ['nsis'],
    );
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.ok(config.deb.depends.includes('libsecret-1-0'));
  });

  it('ships the command\'s launchers where "Install command line tool" and the docs expect them', () => {
    for (const platform of ['mac', 'linux']) {
      assert.deepEqual(config[platform].extraResources, [{ from: 'build/cli/mfa-tray', to: 'bin/mfa-tray' }]);
    }
    assert.deepEqual(config.win.extraResources, [{ from: 'build/cli/mfa-tray.cmd', to: 'bin/mfa-tray.cmd' }]);
    accessSync(join(root, 'build/cli/mfa-tray'), constants.X_OK);
    assert.match(
      readFileSync(join(root, 'build/cli/mfa-tray.cmd'), 'latin1'),
      /\r\n"%~dp0\.\.\\\.\.\\MFA Tray\.exe" --mfa-tray-command -- %\*\r\nexit \/b %ERRORLEVEL%\r\n$/,
    );
    assert.doesNotMatch(readFileSync(join(root, 'build/cli/mfa-tray.cmd'), 'latin1'), /ELECTRON_RUN_AS_NODE/);
    // The installer puts the launcher's folder on the user's PATH (and takes it off again).
    assert.equal(config.nsis.include, 'build/installer.nsh');
    assert.match(
      readFileSync(join(root, 'build/installer.nsh'), 'latin1'),
      /!define MFA_TRAY_BIN "\$INSTDIR\\resources\\bin"[\s\S]*!macro customInstall[\s\S]*WriteRegExpandStr HKCU "Environment" "Path"[\s\S]*!macro customUnInstall/,
    );
    // The GUI under its own name; /usr/bin/mfa-tray is the command, linked by the deb's after-install.
    assert.equal(config.linux.executableName, 'mfa-tray-app');
    assert.equal(config.deb.afterInstall, 'build/linux/after-install.tpl');
    assert.equal(config.deb.afterRemove, 'build/linux/after-remove.tpl');
    assert.match(
      readFileSync(join(root, 'build/linux/after-install.tpl'), 'utf8'),
      /^ln -sf '\/opt\/\$\{sanitizedProductName\}\/resources\/bin\/mfa-tray' '\/usr\/bin\/mfa-tray'$/m,
    );
    assert.match(readFileSync(join(root, 'build/linux/after-remove.tpl'), 'utf8'), /rm -f '\/usr\/bin\/mfa-tray'/);
    // electron-builder's own parts stay: the GUI's link, the sandbox helper, the AppArmor profile.
    assert.match(
      readFileSync(join(root, 'build/linux/after-install.tpl'), 'utf8'),
      /update-alternatives --install '\/usr\/bin\/\$\{executable\}'[\s\S]*chrome-sandbox[\s\S]*apparmor_parser/,
    );
  });
});

describe('icons', () => {
  it('has app icons for every platform, from build/icon-source.svg', () => {
    statSync(join(root, 'build', 'icon-source.svg'));
    assert.deepEqual(pngSize(join(root, 'build', 'icon.png')), [1024, 1024]);
    assert.deepEqual(icoSizes(join(root, 'build', 'icon.ico')), [16, 24, 32, 48, 64, 128, 256]);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) assert.deepEqual(pngSize(join(root, 'build', 'icons', `${size}x${size}.png`)), [size, size]);
    assert.equal(config.linux.icon, 'build/icons');
  });

  for (const look of TRAY_LOOKS) {
    it(`has the "${look}" tray icon for macOS (template, 1x and 2x), Windows and Linux`, () => {
      const trayDir = join(root, 'app', 'tray');
      const mac = trayIconFile(trayDir, 'darwin', look);
      assert.match(mac, /Template\.png$/);
      assert.deepEqual(pngSize(mac), [16, 16]);
      assert.deepEqual(pngSize(mac.replace(/\.png$/, '@2x.png')), [32, 32]);
      // Template images are black and alpha only: macOS tints them for light and dark menu bars.
      const rgba = pixels(mac.replace(/\.png$/, '@2x.png'));
      let opaque = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3] === 0) continue;
        opaque++;
        assert.deepEqual([rgba[i], rgba[i + 1], rgba[i + 2]], [0, 0, 0], `pixel ${i / 4} of ${mac}`);
      }
      assert.ok(opaque > 100, 'it draws something');
      assert.deepEqual(icoSizes(trayIconFile(trayDir, 'win32', look)), [16, 20, 24, 32, 40, 48]);
      const linux = trayIconFile(trayDir, 'linux', look);
      assert.deepEqual(pngSize(linux), [24, 24]);
      assert.deepEqual(pngSize(linux.replace(/\.png$/, '@2x.png')), [48, 48]);
    });
  }

  it('gives every look a different icon', () => {
    const files = TRAY_LOOKS.map((look) => readFileSync(trayIconFile(join(root, 'app', 'tray'), 'darwin', look)).toString('base64'));
    assert.equal(new Set(files).size, TRAY_LOOKS.length);
  });
});
