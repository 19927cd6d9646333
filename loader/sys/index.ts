// loader/sys: the thin bpf(2) layer. Raw instruction bytes and plain numbers in, Fd handles out.
export { BpfCmd, type BpfCommandName } from './cmd.ts';
export {
  LAYOUTS,
  btfLoadAttr,
  decode,
  encode,
  getIdAttr,
  infoAttr,
  layoutProblems,
  linkCreateAttr,
  linkDetachAttr,
  linkInfoLayout,
  linkUpdateAttr,
  mapCreateAttr,
  mapElemAttr,
  mapInfoLayout,
  objAttr,
  progAttachAttr,
  progInfoLayout,
  progLoadAttr,
  progQueryAttr,
  mapBatchAttr,
  referencedBuffers,
  testRunAttr,
  type AttrInput,
  type AttrOutput,
  type Field,
  type FieldKind,
  type FieldType,
  type Layout,
  type Row,
} from './attrs.ts';
export {
  BpfSyscallError,
  BpfUnavailableError,
  Errno,
  VerifierError,
  errnoCode,
  errnoHint,
  errnoMessage,
  splitLog,
  verifierReason,
  type BpfSyscallErrorOptions,
  type ErrnoCode,
  type VerifierErrorOptions,
} from './errors.ts';
export { Fd, trackFds, type FdTracker } from './fd.ts';
export {
  linkGetInfo,
  mapGetInfo,
  objGetFdById,
  progGetInfo,
  type LinkInfo,
  type MapInfo,
  type ProgInfo,
} from './info.ts';
export { AttachFlag, linkCreate, linkDetach, linkUpdate, progAttach, progDetach, progQuery } from './link.ts';
export type { LinkCreateOptions, ProgAttachOptions, ProgDetachOptions, ProgQueryResult } from './link.ts';
export { LOG_INITIAL_SIZE, LOG_MAX_SIZE } from './log.ts';
export {
  MapUpdateFlag,
  mapCreate,
  mapDelete,
  mapFreeze,
  mapGetNextKey,
  mapLookup,
  mapUpdate,
  mapValueBufferSize,
  possibleCpus,
  type MapCreateOptions,
} from './map.ts';
export { BPF_FS_MAGIC, ObjFileFlag, isBpffs, objGet, objPin } from './obj.ts';
export { btfLoad, type BtfLoadOptions } from './btf.ts';
export { probeBpf, type BpfProbe } from './probe.ts';
export {
  progLoad,
  progTestRun,
  type LoadedProgram,
  type ProgLoadOptions,
  type TestRunOptions,
  type TestRunResult,
} from './prog.ts';
export { addressOf, bindingAvailable, bpf, closeFd } from './syscall.ts';
