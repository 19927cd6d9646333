// Services: L4 load balancing (Maglev or random) in BPF, north-south on an XDP load-balancer node.
export * from './maglev.ts';
export * from './service-model.ts';
export * from './flow-hash.ts';
export { DEFAULT_LB_CONNECTIONS, generateLbC, LB_PROGRAM, lbSizes, type LbSizes } from './generate-lb-c.ts';
export * from './lb-map-contents.ts';
export * from './compile-lb.ts';
export { EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM, type EwPass } from './generate-ew-c.ts';
export * from './lb-status.ts';
export * from './lb-build.ts';
export * from './service-vectors.ts';
export * from './lb-verify.ts';
