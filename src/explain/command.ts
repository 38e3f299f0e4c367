// `gateway-compat explain`: pasted kubectl/describe/log text in, what each recognised error means
// and who fixes it out. The whole answer is built before anything is printed.
import { UsageError } from '../errors.js';
import type { Outcome } from '../hosts/outcome.js';
import { parseSubcommandFlags } from '../hosts/subcommand-args.js';
import { readTextInput } from '../input/text-input.js';
import { explainText } from './match.js';
import { renderJson, renderText } from './render.js';

export const EXIT_RECOGNISED = 0;
export const EXIT_NOTHING_RECOGNISED = 1;

// Pasted describe output and logs are small; a whole istiod log of a busy day still fits.
const INPUT_LIMIT = 64 * 1024 ** 2;

export const EXPLAIN_USAGE = `Usage: kubectl describe pod <pod> -n <namespace> | gateway-compat explain [--json]
       gateway-compat explain --file PATH [--json]

Reads pasted text (kubectl describe, kubectl get events, pod logs, istiod logs) and
says, for each error it recognises about net.ipv4.ip_unprivileged_port_start or
ports below 1024: its group, the resource the text names, what it means, and
whether gateway-compat fixes it and with which command, or where the fix lives.
Text it does not recognise is never guessed at.

Groups: kernel older than 4.11, hostNetwork pod, kubelet treats the sysctl as
unsafe, an admission policy forbids it, runc in LXC/Proxmox with AppArmor, Sysbox
and similar sandboxes, Envoy cannot bind a port below 1024, istiod skips ports
below 1024 for an unprivileged gateway.

Options:
  -f, --file PATH   read the text from PATH instead of stdin
      --json        print {"recognised":...,"findings":[...],"lookedFor":[...]}
  -h, --help        show this help

Exit codes:
  0  at least one error recognised
  1  nothing recognised (the answer lists what explain looked for)
  2  usage error, or input that is not readable text (nothing on stdout)

Examples:
  kubectl get events -n istio-ingress | gateway-compat explain
  kubectl logs -n istio-system deploy/istiod | gateway-compat explain --json
`;

export async function runExplain(args: string[]): Promise<Outcome> {
  const values = parseSubcommandFlags('explain', args, 'the text');
  if (values.help) return { stdout: EXPLAIN_USAGE, stderr: '', exitCode: 0 };
  const text = await readTextInput({
    file: values.file,
    limit: INPUT_LIMIT,
    command: 'explain',
    example: 'kubectl describe pod <pod> -n <namespace> | gateway-compat explain',
  });
  if (text.trim() === '') {
    throw new UsageError(
      'gateway-compat explain: the input is empty; paste the output of `kubectl describe pod`, `kubectl get events` or the logs',
    );
  }
  const explanation = explainText(text);
  return {
    stdout: values.json ? renderJson(explanation) : renderText(explanation),
    stderr: '',
    exitCode: explanation.findings.length > 0 ? EXIT_RECOGNISED : EXIT_NOTHING_RECOGNISED,
  };
}
