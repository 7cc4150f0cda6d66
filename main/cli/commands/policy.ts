/**
 * `mfa-tray policy`: the MFA-enforcement policies (main/common/mfa-policy.ts), filled in for the
 * profile's account and explained line by line, in English or Japanese.
 */
import { languageOf, type Language } from '../../common/catalog/language';
import { explainedPolicies, type PolicyId } from '../../common/mfa-policy';
import { validateProfileName } from '../../common/validation';
import { UsageError, flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';

const IDS: readonly PolicyId[] = ['minimal', 'self-service'];

export const policyCommand: Command = {
  name: 'policy',
  summary: 'Print the IAM policies that make MFA mandatory, filled in for your account and explained.',
  usage: ['policy [<profile>] [--which minimal|self-service] [--json] [--language en|ja]'],
  details: `
Two policies: the minimal one (deny everything when the request carries no MFA) and
AWS's self-service variant (the same, except that a user may still manage their own MFA devices,
which mfa-tray enrol needs). Each is printed as IAM policy JSON with what every statement does,
what it blocks, and why sts:GetSessionToken and sts:GetCallerIdentity still work.

The account comes from the profile's MFA device (or, for a hardware serial, from
sts:GetCallerIdentity); without a profile, from the only profile there is, else "*".

Options:
  --which <policy>     only one: minimal or self-service
  --json               the policy JSON only (with --which: the document itself, ready for
                       aws iam put-user-policy --policy-document file://…)
  --language <en|ja>   the explanations' language (default: LANG)
  -h, --help           this help
`,
  options: { ...HELP_OPTION, which: { type: 'string' }, json: { type: 'boolean' }, language: { type: 'string' } },
  positionals: { min: 0, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const which = stringOption(values, 'which');
    if (which !== undefined && !(IDS as readonly string[]).includes(which))
      throw new UsageError('policy', `--which takes minimal or self-service, not "${which}"`);
    const languageOption = stringOption(values, 'language');
    if (languageOption !== undefined && languageOption !== 'en' && languageOption !== 'ja')
      throw new UsageError('policy', `--language takes en or ja, not "${languageOption}"`);
    const language: Language = languageOf(languageOption, ctx.env.LC_ALL || ctx.env.LC_MESSAGES || ctx.env.LANG);
    const target = await ctx.engine().policyTarget(positionals[0] === undefined ? undefined : validateProfileName(positionals[0]));
    const policies = explainedPolicies(language, target).filter((policy) => which === undefined || policy.id === which);

    if (flag(values, 'json')) {
      const json = which !== undefined ? policies[0]?.document : Object.fromEntries(policies.map((policy) => [policy.id, policy.document]));
      ctx.out(JSON.stringify(json, null, 2));
      return EXIT.ok;
    }
    const account = target?.account ?? '*';
    ctx.out(language === 'ja' ? `アカウント: ${account}` : `Account: ${account}`);
    for (const policy of policies) {
      ctx.out('');
      ctx.out(`# ${policy.title}`);
      ctx.out(policy.summary);
      ctx.out('');
      ctx.out(JSON.stringify(policy.document, null, 2));
      ctx.out('');
      for (const { sid, explanation } of policy.statements) ctx.out(`${sid}: ${explanation}`);
      for (const note of policy.notes) ctx.out(`- ${note}`);
    }
    return EXIT.ok;
  },
};
