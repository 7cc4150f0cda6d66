/**
 * The IAM policies that make MFA mandatory, filled in for the user's account and explained line by
 * line in English and Japanese: the article's minimal one (deny everything without MFA) and AWS's
 * self-service variant (which still lets a user manage their own MFA devices without MFA, as
 * `enrol` needs). Users copy these from blog posts and get them subtly wrong; `mfa-tray policy`
 * and the Policy window print them from here.
 *
 * The self-service policy follows AWS's example "IAM: Allows IAM users to self-manage an MFA
 * device", with one statement added (deleting one's own virtual device, with MFA: `unenrol`).
 */
import type { Language } from './catalog/language';

export type PolicyId = 'minimal' | 'self-service';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** One policy with its explanation: a line per statement (by Sid), and notes. */
export interface ExplainedPolicy {
  readonly id: PolicyId;
  readonly title: string;
  readonly summary: string;
  readonly document: PolicyDocument;
  readonly statements: readonly { readonly sid: string; readonly explanation: string }[];
  readonly notes: readonly string[];
}

/** Where the policies apply: the account (`*` when unknown, as AWS's own example has it) and the partition. */
export interface PolicyTarget {
  readonly account: string;
  readonly partition: string;
}

/** The account and partition in an IAM ARN (an MFA device's, a user's), if it is one. */
export function policyTargetOf(arn: string | undefined): PolicyTarget | undefined {
  const match = /^arn:(aws[\w-]*):(?:iam|sts)::(\d{12}):/.exec(arn ?? '');
  return match ? { partition: match[1] as string, account: match[2] as string } : undefined;
}

const NO_MFA = { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } };
const WITH_MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** The article's policy: every action denied when the request carries no MFA. */
export function minimalPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'AllDenyWithoutMFA', Effect: 'Deny', Action: '*', Resource: '*', Condition: NO_MFA }],
  };
}

/** AWS's self-service MFA policy, for one account (or `*`), plus deleting one's own virtual device with MFA. */
export function selfServicePolicy(target: PolicyTarget = { account: '*', partition: 'aws' }): PolicyDocument {
  const { account, partition } = target;
  const user = `arn:${partition}:iam::${account}:user/\${aws:username}`;
  const devices = `arn:${partition}:iam::${account}:mfa/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowListActions', Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListVirtualMFADevices'], Resource: '*' },
      { Sid: 'AllowUserToCreateVirtualMFADevice', Effect: 'Allow', Action: ['iam:CreateVirtualMFADevice'], Resource: devices },
      {
        Sid: 'AllowUserToManageTheirOwnMFA',
        Effect: 'Allow',
        Action: ['iam:EnableMFADevice', 'iam:GetMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
        Resource: user,
      },
      { Sid: 'AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA', Effect: 'Allow', Action: ['iam:DeactivateMFADevice'], Resource: user, Condition: WITH_MFA },
      {
        Sid: 'AllowUserToDeleteVirtualMFADeviceOnlyWhenUsingMFA',
        Effect: 'Allow',
        Action: ['iam:DeleteVirtualMFADevice'],
        Resource: devices,
        Condition: WITH_MFA,
      },
      {
        Sid: 'BlockMostAccessUnlessSignedInWithMFA',
        Effect: 'Deny',
        NotAction: [
          'iam:CreateVirtualMFADevice',
          'iam:EnableMFADevice',
          'iam:GetUser',
          'iam:GetMFADevice',
          'iam:ListMFADevices',
          'iam:ListVirtualMFADevices',
          'iam:ResyncMFADevice',
          'sts:GetSessionToken',
        ],
        Resource: '*',
        Condition: NO_MFA,
      },
    ],
  };
}

interface PolicyWords {
  readonly minimal: {
    readonly title: string;
    readonly summary: string;
    readonly statements: Readonly<Record<string, string>>;
    readonly notes: readonly string[];
  };
  readonly selfService: {
    readonly title: string;
    readonly summary: string;
    readonly statements: Readonly<Record<string, string>>;
    readonly notes: readonly string[];
  };
}

const WORDS: Readonly<Record<Language, PolicyWords>> = {
  en: {
    minimal: {
      title: 'The minimal policy: deny everything without MFA',
      summary:
        'Attach it to the IAM user (or a group). Every call made with the long-lived key alone is refused; calls made with a session from sts:GetSessionToken with an MFA code go through.',
      statements: {
        AllDenyWithoutMFA:
          'Denies every action on every resource when the request carries no MFA. BoolIfExists matters: a long-lived key\'s requests carry no aws:MultiFactorAuthPresent at all, and with "IfExists" a missing key counts as a match, so they are denied too (with plain Bool they would slip through).',
      },
      notes: [
        'sts:GetSessionToken still works with the long-lived key: it needs no permission, and no policy can control it (it is how MFA is proven). So does sts:GetCallerIdentity, which cannot be denied.',
        'The value is the string "false". Some examples write the JSON boolean false, which IAM also reads as "false"; copy the string form.',
        'What it blocks: everything else, including managing your own MFA devices without MFA, so a user whose only device is a passkey cannot enrol a virtual device with it. Use the self-service policy below for that.',
        'An explicit Deny wins over any Allow: this policy limits, it grants nothing. The user still needs their usual Allow policies.',
      ],
    },
    selfService: {
      title: "AWS's self-service MFA policy (with deleting one's own virtual device)",
      summary:
        'Denies everything without MFA, except what a user needs to set up and prove MFA: managing their own MFA devices and sts:GetSessionToken. mfa-tray enrol needs it.',
      statements: {
        AllowListActions: "Lets the user list users and virtual MFA devices (the console's MFA page uses these).",
        AllowUserToCreateVirtualMFADevice: 'Lets the user create a virtual MFA device in this account (enrol: iam:CreateVirtualMFADevice).',
        AllowUserToManageTheirOwnMFA: 'Lets the user enable, read, list and resynchronise MFA devices on their own user only (${aws:username}).',
        AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA:
          'Lets the user deactivate their own MFA device, but only with MFA: a stolen key alone cannot remove the second factor.',
        AllowUserToDeleteVirtualMFADeviceOnlyWhenUsingMFA:
          "Lets the user delete an unassigned virtual MFA device, only with MFA (unenrol). Not in AWS's example; leave it out if you delete devices in the console.",
        BlockMostAccessUnlessSignedInWithMFA:
          'Denies everything except the actions listed (the MFA set-up actions and sts:GetSessionToken) when the request carries no MFA, with BoolIfExists so that long-lived keys are covered.',
      },
      notes: [
        'sts:GetSessionToken and sts:GetCallerIdentity still work with the long-lived key (the first needs no permission and cannot be controlled by policy; the second cannot be denied).',
        'NotAction in a Deny means "deny all but these"; it grants nothing by itself. The Allow statements above grant the MFA actions.',
        "What it blocks without MFA: everything but setting up MFA. With a session from an MFA code, the user's other policies apply as usual.",
      ],
    },
  },
  ja: {
    minimal: {
      title: '最小限のポリシー：MFA なしはすべて拒否',
      summary:
        'IAM ユーザー（またはグループ）にアタッチします。長期アクセスキーだけで行う呼び出しはすべて拒否され、MFA コード付きの sts:GetSessionToken で得たセッションでの呼び出しは通ります。',
      statements: {
        AllDenyWithoutMFA:
          'リクエストに MFA がないとき、すべてのリソースに対するすべてのアクションを拒否します。BoolIfExists が要点です。長期キーのリクエストには aws:MultiFactorAuthPresent そのものが含まれず、「IfExists」があるとキーがない場合も条件に一致したものとして扱われるため、これも拒否されます（ただの Bool だとすり抜けます）。',
      },
      notes: [
        'sts:GetSessionToken は長期キーでも使えます。権限が不要で、ポリシーでは制御できません（MFA を証明する手段だからです）。sts:GetCallerIdentity も拒否できないため使えます。',
        '値は文字列の "false" です。例によっては JSON の真偽値 false と書かれており、IAM はこれも "false" と読みますが、文字列の形でコピーしてください。',
        '拒否されるもの：上記以外すべて。MFA なしで自分の MFA デバイスを管理することもできないため、パスキーしか持たないユーザーはこのポリシーのもとでは仮想 MFA デバイスを登録できません。その場合は下のセルフサービス版を使ってください。',
        '明示的な Deny はどの Allow よりも優先されます。このポリシーは制限するだけで、何も許可しません。通常の Allow ポリシーは別に必要です。',
      ],
    },
    selfService: {
      title: 'AWS のセルフサービス MFA ポリシー（自分の仮想デバイスの削除つき）',
      summary:
        'MFA なしのリクエストはすべて拒否しますが、MFA の設定と証明に必要なもの（自分の MFA デバイスの管理と sts:GetSessionToken）は除きます。mfa-tray enrol にはこれが必要です。',
      statements: {
        AllowListActions: 'ユーザーと仮想 MFA デバイスの一覧を許可します（コンソールの MFA ページが使います）。',
        AllowUserToCreateVirtualMFADevice: 'このアカウントに仮想 MFA デバイスを作成することを許可します（enrol：iam:CreateVirtualMFADevice）。',
        AllowUserToManageTheirOwnMFA: '自分のユーザー（${aws:username}）に限り、MFA デバイスの有効化・取得・一覧・再同期を許可します。',
        AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA:
          '自分の MFA デバイスの無効化を、MFA があるときに限り許可します。盗まれたキーだけでは第二要素を外せません。',
        AllowUserToDeleteVirtualMFADeviceOnlyWhenUsingMFA:
          '割り当てのない仮想 MFA デバイスの削除を、MFA があるときに限り許可します（unenrol）。AWS の例にはない文です。コンソールで削除するなら省いてかまいません。',
        BlockMostAccessUnlessSignedInWithMFA:
          'リクエストに MFA がないとき、列挙したアクション（MFA の設定用アクションと sts:GetSessionToken）以外をすべて拒否します。BoolIfExists により長期キーも対象になります。',
      },
      notes: [
        'sts:GetSessionToken と sts:GetCallerIdentity は長期キーでも使えます（前者は権限不要でポリシーでは制御できず、後者は拒否できません）。',
        'Deny の NotAction は「これら以外をすべて拒否」の意味で、それ自体は何も許可しません。MFA 関連のアクションは上の Allow 文が許可します。',
        'MFA なしで拒否されるもの：MFA の設定以外すべて。MFA コードで得たセッションでは、ユーザーの他のポリシーが通常どおり適用されます。',
      ],
    },
  },
};

/** Both policies, filled in and explained in `language`. */
export function explainedPolicies(language: Language, target?: PolicyTarget): readonly ExplainedPolicy[] {
  const words = WORDS[language];
  const explain = (id: PolicyId, document: PolicyDocument, w: PolicyWords['minimal']): ExplainedPolicy => ({
    id,
    title: w.title,
    summary: w.summary,
    document,
    statements: document.Statement.map((statement) => ({ sid: statement.Sid, explanation: w.statements[statement.Sid] ?? '' })),
    notes: w.notes,
  });
  return [explain('minimal', minimalPolicy(), words.minimal), explain('self-service', selfServicePolicy(target), words.selfService)];
}
