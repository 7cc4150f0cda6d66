/**
 * The bridge's handler table: every operation of `BridgeApi`, its arguments checked against a
 * schema, served by the engine. Transport-free: the Electron layer binds it to `ipcMain.handle`
 * (after checking the sender), tests bind it to a loopback HTTP server.
 *
 * Nothing secret is ever returned: keys and TOTP secrets go in, never out, and errors carry only
 * the engine's plain messages (which never contain a secret) or a generic one.
 */
import * as z from 'zod/mini';
import type { BridgeApi, BridgeError, BridgeEvents, BridgeOperation, BridgeResult, NewProfileForm, ProfileView } from '../common/bridge';
import { MfaTrayError, isKeychainDown, isMfaTrayError } from '../common/errors';
import { explainedPolicies } from '../common/mfa-policy';
import { ROLE_CHAIN_MAX_SECONDS, type Engine, type ListingOptions, type RefreshInput } from '../engine';

/** Who is calling, as the transport established it. */
export interface BridgeCaller {
  /** An id of the calling window, for window operations. */
  readonly windowId: number | string;
}

/** What only the host (Electron, or a test server) can do. */
export interface BridgeHost {
  closeWindow(caller: BridgeCaller): void;
  /** Fits the caller's window to content this high (without it, fitWindow does nothing: a host with no windows to size). */
  fitWindow?(caller: BridgeCaller, contentHeight: number): void;
  /** The locale for the windows: the settings' language, else the OS's. */
  locale(): string;
  /** Whether the app runs without a visible tray icon (default: false); a promise while the app still finds out. */
  withoutTray?(): boolean | Promise<boolean>;
  /** Quits the app (without it, quitApp answers 'internal': not available here). */
  quit?(): void;
  /** Puts text on the clipboard (without it, copyText answers 'internal': not available here). */
  copyText?(text: string): Promise<void>;
}

/** One operation: raw arguments in, a result envelope out. Never throws. */
export type BridgeHandler = (args: readonly unknown[], caller: BridgeCaller) => Promise<BridgeResult<unknown>>;

export type BridgeHandlers = Readonly<Record<BridgeOperation, BridgeHandler>>;

// Shapes only: the engine's own validators check the values and produce the user-facing messages.
const name = z.string().check(z.maxLength(256));
const text = z.string().check(z.maxLength(4096));
const optionalText = z.optional(text);
const optionalNumber = z.optional(z.number());
const optionalBoolean = z.optional(z.boolean());
const keyForm = z.strictObject({ accessKeyId: text, secretAccessKey: text });
const profileFields = {
  mfaSerial: text,
  durationSeconds: optionalNumber,
  region: optionalText,
  targetSection: optionalText,
  autoRefresh: optionalBoolean,
};
const profileForm = z.strictObject({ name, ...profileFields });
const profileChanges = z.strictObject({ ...profileFields, mfaSerial: optionalText });
const importForm = z.strictObject({
  name,
  fromSection: name,
  mfaSerial: optionalText,
  removePlaintext: optionalBoolean,
  targetSection: optionalText,
});
const settingsChanges = z.strictObject({
  notifyBeforeMinutes: optionalNumber,
  autoRefreshBeforeMinutes: optionalNumber,
  clipboardClearSeconds: optionalNumber,
  launchAtLogin: optionalBoolean,
  language: z.optional(z.string().check(z.maxLength(8))),
});

/** The argument tuple of every operation. */
const SCHEMAS = {
  listProfiles: z.tuple([]),
  getPromptContext: z.tuple([name]),
  submitCode: z.tuple([name, z.string().check(z.maxLength(32))]),
  refreshNow: z.tuple([name]),
  addProfile: z.tuple([profileForm, keyForm, z.nullable(text)]),
  updateProfile: z.tuple([name, profileChanges]),
  replaceLongLivedKey: z.tuple([name, keyForm]),
  setTotpSecret: z.tuple([name, text]),
  removeTotpSecret: z.tuple([name]),
  listImportableSections: z.tuple([]),
  importProfile: z.tuple([importForm]),
  verifyProfile: z.tuple([name]),
  verifyKey: z.tuple([keyForm, text]),
  listMfaDevices: z.tuple([z.union([z.strictObject({ key: keyForm }), z.strictObject({ fromSection: name })]), z.nullable(text)]),
  refreshRole: z.tuple([name, z.nullable(z.string().check(z.maxLength(32)))]),
  getRemovalImpact: z.tuple([name]),
  removeProfile: z.tuple([name, z.boolean(), z.nullable(name)]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsChanges]),
  getLocale: z.tuple([]),
  diagnose: z.tuple([z.nullable(name)]),
  getMfaPolicies: z.tuple([z.nullable(name), z.enum(['en', 'ja'])]),
  enrolDevice: z.tuple([
    name,
    z.nullable(z.string().check(z.maxLength(226), z.regex(/^[\w+=,.@-]+$/))),
    z.nullable(
      z.strictObject({
        key: keyForm,
        region: z.nullable(text),
        durationSeconds: z.nullable(z.number()),
        targetSection: z.nullable(text),
        autoRefresh: z.nullable(z.boolean()),
      }),
    ),
  ]),
  copyText: z.tuple([z.string().check(z.maxLength(64 * 1024))]),
  getHostState: z.tuple([]),
  quitApp: z.tuple([]),
  closeWindow: z.tuple([]),
  fitWindow: z.tuple([z.number().check(z.gte(0), z.lte(100_000))]),
} satisfies Record<BridgeOperation, z.ZodMiniType>;

type Args<O extends BridgeOperation> = Parameters<BridgeApi[O]>;
type Value<O extends BridgeOperation> = Awaited<ReturnType<BridgeApi[O]>> extends BridgeResult<infer T> ? T : never;
type Implementation = { readonly [O in BridgeOperation]: (args: Args<O>, caller: BridgeCaller) => Promise<Value<O>> };

/** The bridge's new-profile form as Engine.enrol takes it: a null field is left to its default. */
function newProfileOf(form: NewProfileForm): NonNullable<NonNullable<Parameters<Engine['enrol']>[1]>['newProfile']> {
  return {
    key: form.key,
    ...(form.region === null ? {} : { region: form.region }),
    ...(form.durationSeconds === null ? {} : { durationSeconds: form.durationSeconds }),
    ...(form.targetSection === null ? {} : { targetSection: form.targetSection }),
    ...(form.autoRefresh === null ? {} : { autoRefresh: form.autoRefresh }),
  };
}

/**
 * Every profile as the windows show it. `listing`: how the keychain's entries are read; a window
 * that asks for its list has them listed afresh, the lists pushed on every change reuse that
 * listing ({@link ListingOptions}).
 */
export async function profileViews(engine: Engine, listing: ListingOptions = {}): Promise<ProfileView[]> {
  // The sessions of profiles and roles in one keychain listing; a config file that cannot be read
  // hides the roles, not the profiles.
  const { profiles: statuses, roles } = await engine.statusWithRoles(listing);
  // Not known when the keychain cannot be read: the list still shows (its rows say why).
  const withKey = await engine.profilesWithKey(listing).catch((error: unknown) => {
    if (isMfaTrayError(error) && isKeychainDown(error.code)) return undefined;
    throw error;
  });
  return statuses.map(({ profile, state, hasTotpSecret, plan }) => ({
    ...profile,
    state,
    hasTotpSecret: hasTotpSecret ?? null,
    hasLongLivedKey: withKey ? withKey.has(profile.name) : null,
    codeSource: plan.source,
    selfRefreshing: plan.selfRefreshing,
    ...(plan.source === 'unknown' ? { codeSourceUnreadable: plan.unreadable } : {}),
    roles: roles
      .filter(({ role }) => role.sourceProfile === profile.name)
      .map(({ role, state: roleState }) => ({
        name: role.name,
        roleArn: role.roleArn,
        state: roleState,
        ...(role.durationSeconds !== undefined && role.durationSeconds > ROLE_CHAIN_MAX_SECONDS ? { askedDurationSeconds: role.durationSeconds } : {}),
      })),
  }));
}

async function viewOf(engine: Engine, profileName: string): Promise<ProfileView> {
  const view = (await profileViews(engine)).find((v) => v.name === profileName);
  if (!view) throw new Error(`profile ${profileName} vanished`);
  return view;
}

/** Builds the handler table over an engine. */
export function createBridgeHandlers(engine: Engine, host: BridgeHost): BridgeHandlers {
  const refreshed = async (profile: string, input: RefreshInput) => {
    const session = await engine.refresh(profile, input);
    const { targetSection } = await engine.profile(profile);
    return { profile, targetSection, expiresAt: session.expiresAt };
  };
  const implementation: Implementation = {
    listProfiles: () => profileViews(engine),
    getPromptContext: async ([profile]) => {
      const { mfaSerial, durationSeconds } = await engine.profile(profile);
      return { profile, mfaSerial, durationSeconds, state: await engine.currentState(profile) };
    },
    submitCode: ([profile, code]) => refreshed(profile, { code }),
    // The keeper picks the code source; a profile whose code a person types has no one to ask here
    // (the window shows its code field instead, from the view's codeSource).
    refreshNow: ([profile]) => refreshed(profile, {}),
    addProfile: async ([profile, key, totpSecret]) => {
      await engine.addProfile({ ...profile, ...key }, totpSecret === null ? {} : { totpSecret });
      return viewOf(engine, profile.name);
    },
    updateProfile: async ([profileName, changes]) => {
      await engine.updateProfile(profileName, changes);
      return viewOf(engine, profileName);
    },
    replaceLongLivedKey: async ([profileName, key]) => {
      const { forgotSession } = await engine.setLongLivedKey(profileName, key);
      return { forgotSession };
    },
    setTotpSecret: async ([profileName, secret]) => {
      await engine.setTotpSecret(profileName, secret);
      return null;
    },
    removeTotpSecret: async ([profileName]) => {
      await engine.removeTotpSecret(profileName);
      return null;
    },
    listImportableSections: () => engine.importableSections(),
    importProfile: async ([form]) => {
      const { name: profileName, ...options } = form;
      await engine.importProfile(profileName, options);
      return viewOf(engine, profileName);
    },
    verifyProfile: async ([profileName]) => {
      const { arn, account } = await engine.verify(profileName);
      return { arn, account };
    },
    verifyKey: async ([key, region]) => {
      const { arn, account } = await engine.verifyKey(key, region);
      return { arn, account };
    },
    listMfaDevices: async ([source, region]) => {
      const devices = await engine.mfaDevices(source, region ?? undefined);
      return devices.map(({ serialNumber, kind, usable, enabledAt }) => ({ serialNumber, kind, usable, ...(enabledAt === undefined ? {} : { enabledAt }) }));
    },
    refreshRole: async ([role, code]) => {
      const { session, shortenedFrom } = await engine.refreshRole(role, code === null ? {} : { code });
      return { profile: role, targetSection: role, expiresAt: session.expiresAt, ...(shortenedFrom === undefined ? {} : { shortenedFrom }) };
    },
    getRemovalImpact: async ([profileName]) => {
      const { maskedKeyId, keyCopies, hasTotpSecret } = await engine.removalImpact(profileName);
      return { maskedKeyId: maskedKeyId ?? null, keyCopies, hasTotpSecret };
    },
    removeProfile: async ([profileName, forgetSession, restoreKeyTo]) => {
      const outcome = await engine.removeProfile(profileName, { forgetSession, ...(restoreKeyTo === null ? {} : { restoreKeyTo }) });
      return { session: outcome.session ?? null, otherMaskedKeyId: outcome.otherMaskedKeyId ?? null };
    },
    getSettings: async () => (await engine.loadSettings()).settings,
    updateSettings: async ([changes]) => {
      await engine.updateSettings(changes);
      return (await engine.loadSettings()).settings;
    },
    getLocale: () => Promise.resolve(host.locale()),
    diagnose: async ([profile]) => {
      const checks = await engine.diagnose(process.env, profile ?? undefined);
      return checks.map((c) => ({ check: c.check, profile: c.profile ?? null, verdict: c.verdict, words: c.words, message: c.message, fix: c.fix ?? null }));
    },
    getMfaPolicies: async ([profile, language]) => {
      const target = await engine.policyTarget(profile ?? undefined);
      return {
        account: target?.account ?? '*',
        policies: explainedPolicies(language, target)
          .map((p) => ({ ...p, json: JSON.stringify(p.document, null, 2) }))
          .map(({ document: _document, ...view }) => view),
      };
    },
    enrolDevice: async ([profile, deviceName, newProfile]) => {
      const { serialNumber, userName } = await engine.enrol(profile, {
        ...(deviceName === null ? {} : { deviceName }),
        ...(newProfile === null ? {} : { newProfile: newProfileOf(newProfile) }),
      });
      return { serialNumber, userName };
    },
    copyText: async ([text]) => {
      if (!host.copyText) throw new MfaTrayError('internal', 'Copying is not available here.');
      await host.copyText(text);
      return null;
    },
    getHostState: async () => ({ trayIcon: !((await host.withoutTray?.()) ?? false) }),
    quitApp: () => {
      if (!host.quit) throw new MfaTrayError('internal', 'Quitting is not available here.');
      host.quit();
      return Promise.resolve(null);
    },
    closeWindow: (_args, caller) => {
      host.closeWindow(caller);
      return Promise.resolve(null);
    },
    fitWindow: ([contentHeight], caller) => {
      host.fitWindow?.(caller, contentHeight);
      return Promise.resolve(null);
    },
  };

  const table = {} as Record<BridgeOperation, BridgeHandler>;
  for (const operation of Object.keys(SCHEMAS) as BridgeOperation[]) {
    table[operation] = async (args, caller) => {
      const parsed = SCHEMAS[operation].safeParse(args);
      if (!parsed.success) return { ok: false, error: badRequest(operation, parsed.error) };
      try {
        const run = implementation[operation] as (a: unknown, c: BridgeCaller) => Promise<unknown>;
        return { ok: true, value: await run(parsed.data, caller) };
      } catch (error) {
        return { ok: false, error: toBridgeError(error) };
      }
    };
  }
  return Object.freeze(table);
}

/**
 * Pushes every profile's view to `emit` whenever a state or a profile changes, and the settings
 * whenever they change. @returns the
 * unsubscribe function.
 */
export function bindBridgeEvents(engine: Engine, emit: <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]) => void): () => void {
  // One list at a time. Building one reads the settings file and the keychain (~150 ms with twenty
  // profiles on Linux). Changes made meanwhile give one more list once it is done, so a burst (a
  // refresh changes state twice in a few ms; `refresh --all` changes many profiles) costs one or two
  // lists, and an older list can never arrive after a newer one.
  let building = false;
  let changedMeanwhile = false;
  let bound = true;
  const push = () => {
    if (building) {
      changedMeanwhile = true;
      return;
    }
    building = true;
    void (async () => {
      do {
        await Promise.resolve();
        changedMeanwhile = false;
        // The record of keychain changes tells what changed since the last listing: a change of
        // state lists no entries again (each listing keeps native memory on Linux, for good).
        const views = await profileViews(engine, { reuse: true }).catch(() => []);
        if (bound) emit('profiles', views);
      } while (changedMeanwhile && bound);
      building = false;
    })();
  };
  const unsubscribeState = engine.onState(push);
  const unsubscribeNotice = engine.onNotice(push);
  const unsubscribeChange = engine.onChange((what) => {
    if (what === 'profiles') push();
    else
      void engine.loadSettings().then(
        ({ settings }) => emit('settings', settings),
        () => undefined,
      );
  });
  return () => {
    bound = false;
    unsubscribeState();
    unsubscribeNotice();
    unsubscribeChange();
  };
}

/** An engine error as data; anything unexpected becomes a generic message (it could hold anything). */
export function toBridgeError(error: unknown): BridgeError {
  if (isMfaTrayError(error)) {
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
  return { code: 'internal', message: 'Something went wrong in MFA Tray; nothing was changed. Try again, and report it if it keeps happening.' };
}

function badRequest(operation: string, error: z.core.$ZodError): BridgeError {
  // Names the argument path and what was expected; never echoes the value (it may be a secret).
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'arguments';
  return {
    code: 'bad-request',
    message: `${operation}: ${where}: ${issue?.code === 'unrecognized_keys' ? 'unknown field' : `expected ${issue?.code === 'invalid_type' ? issue.expected : 'a valid value'}`}`,
    field: where,
  };
}
