// loader/core: CO-RE relocation against the running kernel's BTF.
export { CORE_POISON, relocateCore, type CoreRelocationAt, type CoreRelocationResult } from './relocate.ts';
export { essentialName, KernelBtf, VMLINUX_BTF_PATH, vmlinuxBtf } from './vmlinux.ts';
