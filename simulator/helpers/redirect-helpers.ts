// bpf_redirect (23) and bpf_redirect_map (51), as net/core/filter.c: they record a target (the kernel's
// bpf_redirect_info) and return the action; the packet goes nowhere in the simulator, the result says where
// it would. XDP: bpf_redirect with any flag is XDP_ABORTED; bpf_redirect_map with flags outside the default
// action (the low two bits) and, for devmaps, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS is XDP_ABORTED, a key
// with no entry returns the default action and clears the target. TC: bpf_redirect allows only BPF_F_INGRESS
// (else TC_ACT_SHOT) and returns TC_ACT_REDIRECT.
import { DeviceMap, CPUMAP, DEVMAP, MapType, SimMap, XSKMAP } from '../maps/index.ts';
import type { HelperContext, HelperFunction } from '../vm/index.ts';
import type { HelperEnv, RedirectTarget } from './helper-env.ts';

const XDP_ABORTED = 0;
const XDP_REDIRECT = 4;
const TC_ACT_SHOT = 2;
const TC_ACT_REDIRECT = 7;
const BPF_F_INGRESS = 1n;
const BPF_F_ACTION_MASK = 3n;
const BPF_F_BROADCAST = 8n;
const BPF_F_EXCLUDE_INGRESS = 16n;

function mapTypeName(type: number): RedirectTarget['mapType'] | undefined {
  if (type === DEVMAP) return 'devmap';
  if (type === MapType.DEVMAP_HASH) return 'devmap_hash';
  if (type === CPUMAP) return 'cpumap';
  if (type === XSKMAP) return 'xskmap';
  return undefined;
}

export function redirectHelpers(env: HelperEnv): Record<number, HelperFunction> {
  const record = (t: RedirectTarget | undefined) => env.redirect?.(t);
  return {
    23: (r, vm) => {
      const ifindex = r.u32(1);
      const flags = r.get(2);
      if (env.contextKind === 'xdp') {
        if (flags !== 0n) return XDP_ABORTED;
        record({ helper: 'bpf_redirect', ifindex, flags });
        return XDP_REDIRECT;
      }
      if (env.contextKind !== 'skb') return vm.fault('bpf_redirect needs an XDP or skb context');
      if ((flags & ~BPF_F_INGRESS) !== 0n) return TC_ACT_SHOT;
      record({ helper: 'bpf_redirect', ifindex, flags, ingress: flags === BPF_F_INGRESS });
      return TC_ACT_REDIRECT;
    },
    51: (r, vm: HelperContext) => {
      if (env.contextKind !== 'xdp') return vm.fault('bpf_redirect_map needs an XDP context');
      const m = vm.map(r.get(1));
      const mapType = mapTypeName(m.type);
      if (!(m instanceof SimMap) || mapType === undefined) return vm.fault(`bpf_redirect_map: map ${m.name} is not a devmap, cpumap or xskmap`);
      const key = r.u32(2);
      const flags = r.get(3);
      const devmap = mapType === 'devmap' || mapType === 'devmap_hash';
      const allowed = BPF_F_ACTION_MASK | (devmap ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0n);
      if ((flags & ~allowed) !== 0n) return XDP_ABORTED;
      const broadcast = devmap && (flags & BPF_F_BROADCAST) !== 0n;
      const keyBytes = Uint8Array.of(key & 0xff, (key >>> 8) & 0xff, (key >>> 16) & 0xff, key >>> 24);
      const address = m.lookup(keyBytes, env.cpu);
      if (address === 0n && !broadcast) {
        record(undefined);
        return Number(flags & BPF_F_ACTION_MASK);
      }
      const value = m instanceof DeviceMap ? m.entry(key) : m.get(keyBytes);
      const u32 = value === undefined || value.length < 4 ? undefined : (value[0]! | (value[1]! << 8) | (value[2]! << 16) | (value[3]! << 24)) >>> 0;
      record({
        helper: 'bpf_redirect_map',
        map: m.name,
        mapType,
        key,
        flags,
        ...(devmap && u32 !== undefined && !broadcast ? { ifindex: u32 } : {}),
        ...(mapType === 'cpumap' ? { cpu: key } : {}),
        ...(mapType === 'xskmap' ? { queue: key } : {}),
        ...(broadcast ? { broadcast: true, excludeIngress: (flags & BPF_F_EXCLUDE_INGRESS) !== 0n } : {}),
      });
      return XDP_REDIRECT;
    },
  };
}
