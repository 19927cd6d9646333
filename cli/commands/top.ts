// `tsbpf top [--interval MS] [--once]`: a live terminal view of the deployed counters (cli/deploy/top-frame.ts).
import { deployedCounters, listDeployed } from '../deploy/deployed.ts';
import { DEFAULT_STATE_DIR } from '../deploy/state.ts';
import { renderTopFrame, type TopSample } from '../deploy/top-frame.ts';

export function topSamples(stateDir = DEFAULT_STATE_DIR): TopSample[] {
  // every interface with policies, services or both (the policies' and the load balancer's states)
  return listDeployed(stateDir).map((d) => ({
    iface: d.netns === undefined ? d.iface : `${d.netns}/${d.iface}`,
    policies: (d.policy?.policies ?? []).flatMap((p) => p.names.map((n) => `${n} v${p.version}`)),
    ...(d.services !== undefined ? { services: d.services.services } : {}),
    counters: deployedCounters(d),
  }));
}

export async function topCommand(options: { interval?: number; once?: boolean }): Promise<void> {
  const interval = options.interval ?? 1000;
  let previous: TopSample[] | undefined;
  let last = Date.now();
  for (;;) {
    const now = Date.now();
    const samples = topSamples();
    const frame = renderTopFrame(samples, previous, (now - last) / 1000, new Date(now));
    process.stdout.write(options.once === true ? `${frame.join('\n')}\n` : `\x1b[H\x1b[2J${frame.join('\n')}\n`);
    if (options.once === true) return;
    previous = samples;
    last = now;
    await new Promise((r) => setTimeout(r, interval));
  }
}
