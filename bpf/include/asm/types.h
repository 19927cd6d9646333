/* tsbpf: <asm/types.h> is <linux/types.h> on the BPF target. */
#include <linux/types.h>
