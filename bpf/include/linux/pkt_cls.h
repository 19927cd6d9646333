/* tsbpf: return codes of tc (sched_cls / sched_act) BPF programs. */
#ifndef __TSBPF_LINUX_PKT_CLS_H
#define __TSBPF_LINUX_PKT_CLS_H

#include <linux/types.h>
#include <linux/pkt_sched.h>

#define TC_ACT_UNSPEC (-1) /* use the default action (tcx: next program, else pass) */
#define TC_ACT_OK 0 /* pass the packet */
#define TC_ACT_RECLASSIFY 1
#define TC_ACT_SHOT 2 /* drop */
#define TC_ACT_PIPE 3
#define TC_ACT_STOLEN 4 /* consumed */
#define TC_ACT_QUEUED 5
#define TC_ACT_REPEAT 6
#define TC_ACT_REDIRECT 7 /* bpf_redirect() target */
#define TC_ACT_TRAP 8
#define TC_ACT_VALUE_MAX TC_ACT_TRAP

#define __TC_ACT_EXT_SHIFT 28
#define __TC_ACT_EXT(local) ((local) << __TC_ACT_EXT_SHIFT)
#define TC_ACT_EXT_VAL_MASK ((1 << __TC_ACT_EXT_SHIFT) - 1)
#define TC_ACT_EXT_OPCODE(combined) ((combined) & (~TC_ACT_EXT_VAL_MASK))
#define TC_ACT_EXT_CMP(combined, opcode) (TC_ACT_EXT_OPCODE(combined) == opcode)
#define TC_ACT_JUMP __TC_ACT_EXT(1)
#define TC_ACT_GOTO_CHAIN __TC_ACT_EXT(2)
#define TC_ACT_EXT_OPCODE_MAX TC_ACT_GOTO_CHAIN

/* tcx (BPF_TCX_INGRESS / BPF_TCX_EGRESS) return codes. */
enum tcx_action_base {
	TCX_NEXT = -1,
	TCX_PASS = 0,
	TCX_DROP = 2,
	TCX_REDIRECT = 7,
};

#endif /* __TSBPF_LINUX_PKT_CLS_H */
