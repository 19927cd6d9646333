// Socket filters: SO_ATTACH_BPF on a socket the caller owns (socket(7)). The program (SOCKET_FILTER type)
// returns how many bytes of each packet to keep; 0 drops it.
import type { Fd } from '../sys/index.ts';
import { SOL_SOCKET, sysSetsockoptInt } from '../netlink/index.ts';
import { KernelAttachment } from './attachment.ts';
import type { Link } from './link.ts';

const SO_ATTACH_BPF = 50;
const SO_DETACH_BPF = 27;

/**
 * Attaches a socket filter to the socket `socketFd` (a raw descriptor number the caller keeps open for the
 * handle's lifetime). `update` swaps the filter atomically; close detaches it.
 */
export function attachSocketFilter(prog: Fd, socketFd: number): Link {
  const label = `socket filter on fd ${socketFd}`;
  sysSetsockoptInt(socketFd, SOL_SOCKET, SO_ATTACH_BPF, prog.value, `attach ${prog.label} to socket fd ${socketFd}`);
  try {
    return new KernelAttachment(prog, 'socket_filter', 'setsockopt', label, {
      update: (newFd) => sysSetsockoptInt(socketFd, SOL_SOCKET, SO_ATTACH_BPF, newFd, `${label}: replace`),
      detach: () => sysSetsockoptInt(socketFd, SOL_SOCKET, SO_DETACH_BPF, 0, `${label}: detach`),
    });
  } catch (e) {
    sysSetsockoptInt(socketFd, SOL_SOCKET, SO_DETACH_BPF, 0, `${label}: detach`);
    throw e;
  }
}
