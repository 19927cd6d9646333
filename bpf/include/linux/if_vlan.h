/* tsbpf: IEEE 802.1Q VLAN tag. */
#ifndef __TSBPF_LINUX_IF_VLAN_H
#define __TSBPF_LINUX_IF_VLAN_H

#include <linux/types.h>
#include <linux/if_ether.h>

#define VLAN_HLEN 4 /* octets in a tag */
#define VLAN_ETH_HLEN 18 /* Ethernet header with one tag */
#define VLAN_ETH_ZLEN 64
#define VLAN_ETH_DATA_LEN 1500
#define VLAN_ETH_FRAME_LEN 1518

#define VLAN_PRIO_MASK 0xe000 /* priority code point */
#define VLAN_PRIO_SHIFT 13
#define VLAN_CFI_MASK 0x1000 /* drop eligible indicator */
#define VLAN_VID_MASK 0x0fff /* VLAN identifier */
#define VLAN_N_VID 4096

/* The tag after the Ethernet addresses' EtherType (ETH_P_8021Q / ETH_P_8021AD): 4 bytes. */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

/* Ethernet header with one VLAN tag: 18 bytes. */
struct vlan_ethhdr {
	union {
		struct {
			unsigned char h_dest[ETH_ALEN];
			unsigned char h_source[ETH_ALEN];
		};
		struct {
			unsigned char h_dest[ETH_ALEN];
			unsigned char h_source[ETH_ALEN];
		} addrs;
	};
	__be16 h_vlan_proto;
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

#endif /* __TSBPF_LINUX_IF_VLAN_H */
