// compiler/backend/btf: BTF derived from an IR module's debug metadata (what LLVM's BPF backend would emit),
// and a canonical form to compare two BTF graphs by structure.
export { btfFromDebugInfo, type DebugInfoBtf, type DebugInfoBtfOptions } from './btf-from-debug-info.ts';
export { canonicalBtf, canonicalBtfType } from './canonical-btf.ts';
