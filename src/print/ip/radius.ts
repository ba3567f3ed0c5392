/**
 * RADIUS (UDP 1645/1646/1812/1813/1700/3799) as tcpdump 4.99.3 prints it (print-radius.c):
 * `RADIUS, Access-Request (1), id: 0x05 length: 139`; with -v the authenticator and every
 * attribute on its own line, "User-Name Attribute (1), length: 14, Value: John.McGuirk", with the
 * attribute's own formatting (numbers with their standard names, addresses, timeouts as
 * "01:00 min", tunnel tags, error causes, vendor-specific sub-attributes, EAP messages); -vv adds
 * each attribute's bytes in hex.
 *
 * Technique: tcpdump's attribute table (name, value names, printer) written down; an attribute
 * whose printer is not reproduced here (IPv6 prefixes, MIP6, operator name, location, time)
 * makes the text null. A field read beyond the capture ends the text with " [|radius]".
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { Bytes, Truncated, hexPrint, printChar } from './bytes.ts';

class Unsupported extends Error {}

const COMMANDS: ReadonlyMap<number, string> = new Map([
  [1, 'Access-Request'], [2, 'Access-Accept'], [3, 'Access-Reject'], [4, 'Accounting-Request'], [5, 'Accounting-Response'],
  [11, 'Access-Challenge'], [12, 'Status-Server'], [13, 'Status-Client'], [40, 'Disconnect-Request'], [41, 'Disconnect-ACK'],
  [42, 'Disconnect-NAK'], [43, 'CoA-Request'], [44, 'CoA-ACK'], [45, 'CoA-NAK'], [255, 'Reserved'],
]);

const SERV_TYPE = [null, 'Login', 'Framed', 'Callback Login', 'Callback Framed', 'Outbound', 'Administrative', 'NAS Prompt',
  'Authenticate Only', 'Callback NAS Prompt', 'Call Check', 'Callback Administrative', 'Voice', 'Fax', 'Modem Relay',
  'IAPP-Register', 'IAPP-AP-Check', 'Authorize Only', 'Framed-Management', 'Additional-Authorization'];
const FRM_PROTO = [null, 'PPP', 'SLIP', 'ARAP', 'Gandalf proprietary', 'Xylogics IPX/SLIP', 'X.75 Synchronous', 'GPRS PDP Context'];
const FRM_ROUTING = ['None', 'Send', 'Listen', 'Send&Listen'];
const FRM_COMP = ['None', 'VJ TCP/IP', 'IPX', 'Stac-LZS'];
const LOGIN_SERV = ['Telnet', 'Rlogin', 'TCP Clear', 'PortMaster(proprietary)', 'LAT', 'X.25-PAD', 'X.25-T3POS', 'Unassigned', 'TCP Clear Quiet'];
const TERM_ACTION = ['Default', 'RADIUS-Request'];
const INGRESS_FILTERS = [null, 'Enabled', 'Disabled'];
const NAS_PORT_TYPE = ['Async', 'Sync', 'ISDN Sync', 'ISDN Async V.120', 'ISDN Async V.110', 'Virtual', 'PIAFS', 'HDLC Clear Channel',
  'X.25', 'X.75', 'G.3 Fax', 'SDSL', 'ADSL-CAP', 'ADSL-DMT', 'ISDN-DSL', 'Ethernet', 'xDSL', 'Cable', 'Wireless - Other',
  'Wireless - IEEE 802.11', 'Token-Ring', 'FDDI', 'Wireless - CDMA200', 'Wireless - UMTS', 'Wireless - 1X-EV', 'IAPP', 'FTTP',
  'Wireless - IEEE 802.16', 'Wireless - IEEE 802.20', 'Wireless - IEEE 802.22', 'PPPoA', 'PPPoEoA', 'PPPoEoE', 'PPPoEoVLAN',
  'PPPoEoQinQ', 'xPON', 'Wireless - XGP', 'WiMAX Pre-Release 8 IWK Function', 'WIMAX-WIFI-IWK', 'WIMAX-SFF', 'WIMAX-HA-LMA',
  'WIMAX-DHCP', 'WIMAX-LBS', 'WIMAX-WVS'];
const ACCT_STATUS = [null, 'Start', 'Stop', 'Interim-Update', 'Unassigned', 'Unassigned', 'Unassigned', 'Accounting-On',
  'Accounting-Off', 'Tunnel-Start', 'Tunnel-Stop', 'Tunnel-Reject', 'Tunnel-Link-Start', 'Tunnel-Link-Stop', 'Tunnel-Link-Reject', 'Failed'];
const ACCT_AUTH = [null, 'RADIUS', 'Local', 'Remote', 'Diameter'];
const ACCT_TERM = [null, 'User Request', 'Lost Carrier', 'Lost Service', 'Idle Timeout', 'Session Timeout', 'Admin Reset',
  'Admin Reboot', 'Port Error', 'NAS Error', 'NAS Request', 'NAS Reboot', 'Port Unneeded', 'Port Preempted', 'Port Suspended',
  'Service Unavailable', 'Callback', 'User Error', 'Host Request', 'Supplicant Restart', 'Reauthentication Failure',
  'Port Reinitialized', 'Port Administratively Disabled', 'Lost Power'];
const TUNNEL_TYPE = [null, 'PPTP', 'L2F', 'L2TP', 'ATMP', 'VTP', 'AH', 'IP-IP', 'MIN-IP-IP', 'ESP', 'GRE', 'DVS', 'IP-in-IP Tunneling', 'VLAN'];
const TUNNEL_MEDIUM = [null, 'IPv4', 'IPv6', 'NSAP', 'HDLC', 'BBN 1822', '802', 'E.163', 'E.164', 'F.69', 'X.121', 'IPX', 'Appletalk',
  'Decnet IV', 'Banyan Vines', 'E.164 with NSAP subaddress'];
const ARAP_ZONE = [null, 'Only access to dfl zone', 'Use zone filter inc.', 'Not used', 'Use zone filter exc.'];
const PROMPT = ['No Echo', 'Echo'];

const ERROR_CAUSES: ReadonlyMap<number, string> = new Map([
  [201, 'Residual Session Context Removed'], [202, 'Invalid EAP Packet (Ignored)'], [401, 'Unsupported Attribute'],
  [402, 'Missing Attribute'], [403, 'NAS Identification Mismatch'], [404, 'Invalid Request'], [405, 'Unsupported Service'],
  [406, 'Unsupported Extension'], [407, 'Invalid Attribute Value'], [501, 'Administratively Prohibited'],
  [502, 'Request Not Routable (Proxy)'], [503, 'Session Context Not Found'], [504, 'Session Context Not Removable'],
  [505, 'Other Proxy Processing Error'], [506, 'Resources Unavailable'], [507, 'Request Initiated'],
  [508, 'Multiple Session Selection Unsupported'], [509, 'Location Info Required'],
]);

/** SMI enterprise numbers tcpdump names (oui.c smi_values). */
const SMI: ReadonlyMap<number, string> = new Map([
  [0, 'IETF (reserved)'], [5, 'ACC'], [9, 'Cisco'], [11, 'Hewlett Packard'], [42, 'Sun Microsystems'], [61, 'Merit'],
  [74, 'AT&T'], [161, 'Motorola'], [166, 'Shiva'], [193, 'Ericsson AB'], [255, 'Cisco VPN 5000'], [307, 'Livingston'],
  [311, 'Microsoft'], [429, '3Com'], [529, 'Ascend'], [1584, 'Bay Networks'], [1991, 'Foundry'], [2180, 'Versanet'],
  [2352, 'Redback'], [2636, 'Juniper Networks'], [2637, 'Aptis'], [2937, 'Deutsche Telekom AG'], [3054, 'Ixia Communications'],
  [3076, 'Cisco VPN 3000'], [3085, 'CoSine Communications'], [3224, 'Netscreen'], [3199, 'Shasta'], [3309, 'Nomadix'],
  [3414, 'T-Mobile'], [3561, 'The Broadband Forum'], [3902, 'ZTE'], [4329, 'Siemens'], [4491, 'CableLabs'],
  [4874, 'Unisphere Networks'], [5263, 'Cisco BBSM'], [5535, '3rd Generation Partnership Project 2 (3GPP2)'],
  [5806, 'SK Telecom'], [5925, 'ipUnplugged'], [5948, 'Issanni Communications'], [5951, 'Netscaler'], [6490, 'T-Mobile'],
  [6618, 'Quintum'], [6728, 'Interlink'], [7951, 'CNCTC'], [8164, 'Starent Networks'], [8744, 'Colubris'], [10415, '3GPP'],
  [10529, 'Gemtek-Systems'], [10704, 'Barracuda Networks'], [10923, 'Ericsson AB - Packet Core Networks'], [11665, 'dacom'],
  [11862, 'Columbia University'], [12356, 'Fortinet'], [12951, 'Verizon Wireless'], [13745, 'Plixer'],
  [14122, 'Wi-Fi Alliance'], [16787, 'T-Systems Nova'], [20942, 'China Telecom - Guangzhou Research Institute'],
  [26866, 'Gigamon Systems'], [32622, 'CACE Technologies'], [35632, 'ntop'], [46098, 'Ericsson Canada'],
]);

type Kind = 'string' | 'num' | 'address' | 'address6' | 'vendor' | 'strange' | 'other' | null;

/** Attribute type → [name, printer, value names, first value]. */
const ATTRS: ReadonlyArray<readonly [string | null, Kind, ReadonlyArray<string | null>?, number?]> = [
  [null, null], ['User-Name', 'string'], ['User-Password', null], ['CHAP-Password', null], ['NAS-IP-Address', 'address'],
  ['NAS-Port', 'num'], ['Service-Type', 'num', SERV_TYPE, 1], ['Framed-Protocol', 'num', FRM_PROTO, 1],
  ['Framed-IP-Address', 'address'], ['Framed-IP-Netmask', 'address'], ['Framed-Routing', 'num', FRM_ROUTING, 0],
  ['Filter-Id', 'string'], ['Framed-MTU', 'num'], ['Framed-Compression', 'num', FRM_COMP, 0], ['Login-IP-Host', 'address'],
  ['Login-Service', 'num', LOGIN_SERV, 0], ['Login-TCP-Port', 'num'], ['Unassigned', null], ['Reply-Message', 'string'],
  ['Callback-Number', 'string'], ['Callback-Id', 'string'], ['Unassigned', null], ['Framed-Route', 'string'],
  ['Framed-IPX-Network', 'num'], ['State', 'string'], ['Class', 'string'], ['Vendor-Specific', 'vendor'],
  ['Session-Timeout', 'num'], ['Idle-Timeout', 'num'], ['Termination-Action', 'num', TERM_ACTION, 0],
  ['Called-Station-Id', 'string'], ['Calling-Station-Id', 'string'], ['NAS-Identifier', 'string'], ['Proxy-State', 'string'],
  ['Login-LAT-Service', 'string'], ['Login-LAT-Node', 'string'], ['Login-LAT-Group', 'string'], ['Framed-AppleTalk-Link', 'num'],
  ['Framed-AppleTalk-Network', 'num'], ['Framed-AppleTalk-Zone', 'string'], ['Acct-Status-Type', 'num', ACCT_STATUS, 1],
  ['Acct-Delay-Time', 'num'], ['Acct-Input-Octets', 'num'], ['Acct-Output-Octets', 'num'], ['Acct-Session-Id', 'string'],
  ['Acct-Authentic', 'num', ACCT_AUTH, 1], ['Acct-Session-Time', 'num'], ['Acct-Input-Packets', 'num'],
  ['Acct-Output-Packets', 'num'], ['Acct-Terminate-Cause', 'num', ACCT_TERM, 1], ['Acct-Multi-Session-Id', 'string'],
  ['Acct-Link-Count', 'num'], ['Acct-Input-Gigawords', 'num'], ['Acct-Output-Gigawords', 'num'], ['Unassigned', null],
  ['Event-Timestamp', 'other'], ['Egress-VLANID', 'num'], ['Ingress-Filters', 'num', INGRESS_FILTERS, 1],
  ['Egress-VLAN-Name', 'string'], ['User-Priority-Table', null], ['CHAP-Challenge', 'string'],
  ['NAS-Port-Type', 'num', NAS_PORT_TYPE, 0], ['Port-Limit', 'num'], ['Login-LAT-Port', 'string'],
  ['Tunnel-Type', 'num', TUNNEL_TYPE, 1], ['Tunnel-Medium-Type', 'num', TUNNEL_MEDIUM, 1], ['Tunnel-Client-Endpoint', 'string'],
  ['Tunnel-Server-Endpoint', 'string'], ['Acct-Tunnel-Connection', 'string'], ['Tunnel-Password', 'string'],
  ['ARAP-Password', 'strange'], ['ARAP-Features', 'strange'], ['ARAP-Zone-Access', 'num', ARAP_ZONE, 1],
  ['ARAP-Security', 'string'], ['ARAP-Security-Data', 'string'], ['Password-Retry', 'num'], ['Prompt', 'num', PROMPT, 0],
  ['Connect-Info', 'string'], ['Configuration-Token', 'string'], ['EAP-Message', 'string'], ['Message-Authenticator', 'string'],
  ['Tunnel-Private-Group-ID', 'string'], ['Tunnel-Assignment-ID', 'string'], ['Tunnel-Preference', 'num'],
  ['ARAP-Challenge-Response', 'strange'], ['Acct-Interim-Interval', 'num'], ['Acct-Tunnel-Packets-Lost', 'num'],
  ['NAS-Port-Id', 'string'], ['Framed-Pool', 'string'], ['CUI', 'string'], ['Tunnel-Client-Auth-ID', 'string'],
  ['Tunnel-Server-Auth-ID', 'string'], ['NAS-Filter-Rule', 'string'], ['Unassigned', null], ['Originating-Line-Info', null],
  ['NAS-IPv6-Address', 'address6'], ['Framed-Interface-ID', null], ['Framed-IPv6-Prefix', 'other'], ['Login-IPv6-Host', 'address6'],
  ['Framed-IPv6-Route', 'string'], ['Framed-IPv6-Pool', 'string'], ['Error-Cause', 'strange'], ['EAP-Key-Name', null],
  ['Digest-Response', 'string'], ['Digest-Realm', 'string'], ['Digest-Nonce', 'string'], ['Digest-Response-Auth', 'string'],
  ['Digest-Nextnonce', 'string'], ['Digest-Method', 'string'], ['Digest-URI', 'string'], ['Digest-Qop', 'string'],
  ['Digest-Algorithm', 'string'], ['Digest-Entity-Body-Hash', 'string'], ['Digest-CNonce', 'string'],
  ['Digest-Nonce-Count', 'string'], ['Digest-Username', 'string'], ['Digest-Opaque', 'string'], ['Digest-Auth-Param', 'string'],
  ['Digest-AKA-Auts', 'string'], ['Digest-Domain', 'string'], ['Digest-Stale', 'string'], ['Digest-HA1', 'string'],
  ['SIP-AOR', 'string'], ['Delegated-IPv6-Prefix', 'other'], ['MIP6-Feature-Vector', 'other'], ['MIP6-Home-Link-Prefix', 'other'],
  ['Operator-Name', 'other'], ['Location-Information', 'other'], ['Location-Data', 'other'], ['Basic-Location-Policy-Rules', 'other'],
];

const EAP_CODES: ReadonlyMap<number, string> = new Map([[1, 'Request'], [2, 'Response'], [3, 'Success'], [4, 'Failure']]);
const EAP_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'No proposed'], [1, 'Identity'], [2, 'Notification'], [3, 'Nak'], [4, 'MD5-challenge'], [5, 'OTP'], [6, 'GTC'], [13, 'TLS'],
  [18, 'SIM'], [21, 'TTLS'], [23, 'AKA'], [43, 'FAST'], [254, 'Expanded types'], [255, 'Experimental'],
]);
const EAP_TLS_FLAGS: ReadonlyArray<[number, string]> = [[0x80, 'L bit'], [0x40, 'More fragments bit'], [0x20, 'Start bit']];
const EAP_AKA_SUBTYPES: ReadonlyMap<number, string> = new Map([
  [1, 'Challenge'], [2, 'Auth reject'], [4, 'Sync failure'], [5, 'Identity'], [10, 'Start'], [11, 'Challenge'], [12, 'Notification'],
  [13, 'Reauth'], [14, 'Client error'],
]);

class Printer extends Bytes {
  out = '';
  constructor(
    p: Uint8Array,
    end: number,
    readonly v: number,
    readonly host4: (o: number) => string,
    readonly host6: (o: number) => string,
  ) {
    super(p, end);
  }
  ascii(o: number, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = this.u8(o + i);
      s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    return s;
  }

  attrs(a: number, length: number): void {
    while (length > 0) {
      if (length < 2 || a + 2 > this.end) {
        this.out += ' [|radius]';
        return;
      }
      const type = this.p[a]!;
      const len = this.p[a + 1]!;
      const entry = ATTRS[type];
      this.out += `\n\t  ${type !== 0 && entry ? entry[0] : 'Unknown'} Attribute (${type}), length: ${len}`;
      if (len < 2) {
        this.out += ' (bogus, must be >= 2)';
        return;
      }
      if (len > length) {
        this.out += ' (bogus, goes past end of packet)';
        return;
      }
      this.out += ', Value: ';
      if (entry && len > 2 && entry[1]) this.value(type, a + 2, len - 2);
      if (this.v > 1) this.out += hexPrint(new Bytes(this.p, this.end), a + 2, len - 2, '\n\t    ').text;
      length -= len;
      a += len;
    }
  }

  value(type: number, d: number, len: number): void {
    const kind = ATTRS[type]![1];
    switch (kind) {
      case 'string':
        return this.string(type, d, len);
      case 'num':
        return this.num(type, d, len);
      case 'address':
        if (len !== 4) {
          this.out += `ERROR: length ${len} != 4`;
          return;
        }
        if (type === 8 || type === 14) {
          const x = this.u32(d);
          if (x === 0xffffffff) {
            this.out += 'User Selected';
            return;
          }
          if (x === 0xfffffffe) {
            this.out += 'NAS Select';
            return;
          }
        }
        this.u32(d);
        this.out += this.host4(d);
        return;
      case 'address6':
        if (len !== 16) {
          this.out += `ERROR: length ${len} != 16`;
          return;
        }
        this.u8(d + 15);
        this.out += this.host6(d);
        return;
      case 'vendor':
        return this.vendor(d, len);
      case 'strange':
        return this.strange(type, d, len);
      default:
        throw new Unsupported();
    }
  }

  string(type: number, d: number, len: number): void {
    if (d + len > this.end) {
      this.out += ' [|radius]';
      return;
    }
    switch (type) {
      case 69:
        if (len < 3) {
          this.out += ' [|radius]';
          return;
        }
        this.out += this.p[d] && this.p[d]! <= 0x1f ? `Tag[${this.p[d]}] ` : 'Tag[Unused] ';
        this.out += `Salt ${this.u16(d + 1)} `;
        d += 3;
        len -= 3;
        break;
      case 66:
      case 67:
      case 81:
      case 82:
      case 90:
      case 91:
        if (this.u8(d) <= 0x1f) {
          this.out += this.p[d] ? `Tag[${this.p[d]}] ` : 'Tag[Unused] ';
          d++;
          len--;
        }
        break;
      case 58: {
        const t = this.u8(d);
        this.out += `${t === 0x31 ? 'Tagged' : t === 0x32 ? 'Untagged' : 'Unknown tag'} (0x${t.toString(16).padStart(2, '0')}) `;
        d++;
        len--;
        break;
      }
      case 79:
        return this.eap(d, len);
    }
    for (let i = 0; i < len && this.u8(d + i); i++) {
      const c = this.p[d + i]!;
      this.out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
  }

  num(type: number, d: number, len: number): void {
    if (len !== 4) {
      this.out += `ERROR: length ${len} != 4`;
      return;
    }
    const [, , table, first] = ATTRS[type]!;
    if (table) {
      let value: number;
      if (type === 64 || type === 65) {
        const tag = this.u8(d);
        this.out += tag ? `Tag[${tag}] ` : 'Tag[Unused] ';
        value = this.u24(d + 1);
      } else value = this.u32(d);
      const f = first ?? 0;
      const size = f === 1 ? table.length - 1 : table.length;
      this.out += value <= size - 1 + f && value >= f ? `${table[value]}` : `#${value}`;
      return;
    }
    const x = this.u32(d);
    switch (type) {
      case 23:
        this.out += x === 0xfffffffe ? 'NAS Select' : `${x}`;
        return;
      case 27:
      case 28:
      case 41:
      case 46:
      case 85: {
        const two = (n: number): string => `${n}`.padStart(2, '0');
        const t = x | 0; // (printed with %02d)
        if (x < 60) this.out += `${two(t)} secs`;
        else if (x < 3600) this.out += `${two(Math.floor(x / 60))}:${two(x % 60)} min`;
        else this.out += `${two(Math.floor(x / 3600))}:${two(Math.floor((x % 3600) / 60))}:${two(x % 60)} hours`;
        return;
      }
      case 37:
        this.out += x ? `${x}` : 'Unnumbered';
        return;
      case 38:
        this.out += x ? `${x}` : 'NAS assigned';
        return;
      case 83: {
        const tag = this.p[d]!;
        this.out += tag ? `Tag[${tag}] ` : 'Tag[Unused] ';
        this.out += `${this.u24(d + 1)}`;
        return;
      }
      case 56: {
        const t = this.p[d]!;
        this.out += `${t === 0x31 ? 'Tagged' : t === 0x32 ? 'Untagged' : 'Unknown tag'} (0x${t.toString(16).padStart(2, '0')}) ${this.u24(d + 1)}`;
        return;
      }
      default:
        this.out += `${x}`;
    }
  }

  vendor(d: number, len: number): void {
    if (len < 4) {
      this.out += ' [|radius]';
      return;
    }
    const id = this.u32(d);
    d += 4;
    len -= 4;
    this.out += `Vendor: ${SMI.get(id) ?? 'Unknown'} (${id})`;
    while (len >= 2) {
      const vt = this.u8(d);
      let vl = this.u8(d + 1);
      if (vl < 2) {
        this.out += `\n\t    Vendor Attribute: ${vt}, Length: ${vl} (bogus, must be >= 2)`;
        return;
      }
      if (vl > len) {
        this.out += `\n\t    Vendor Attribute: ${vt}, Length: ${vl} (bogus, goes past end of vendor-specific attribute)`;
        return;
      }
      d += 2;
      vl -= 2;
      len -= 2;
      if (d + vl > this.end) {
        this.out += ' [|radius]';
        return;
      }
      this.out += `\n\t    Vendor Attribute: ${vt}, Length: ${vl}, Value: ${this.ascii(d, vl)}`;
      d += vl;
      len -= vl;
    }
  }

  strange(type: number, d: number, len: number): void {
    const hx = (n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += this.u8(d + i).toString(16).toUpperCase().padStart(2, '0');
      d += n;
      return s;
    };
    switch (type) {
      case 70:
        if (len !== 16) {
          this.out += `ERROR: length ${len} != 16`;
          return;
        }
        this.out += `User_challenge (${hx(8)}) User_resp(${hx(8)})`;
        return;
      case 71:
        if (len !== 14) {
          this.out += `ERROR: length ${len} != 14`;
          return;
        }
        this.out += this.u8(d) ? 'User can change password' : 'User cannot change password';
        this.out += `, Min password length: ${this.u8(d + 1)}`;
        d += 2;
        this.out += `, created at: ${hx(4)}, expires in: ${hx(4)}, Current Time: ${hx(4)}`;
        return;
      case 84:
        if (len < 8) {
          this.out += `ERROR: length ${len} != 8`;
          return;
        }
        this.out += hx(8);
        return;
      case 101: {
        if (len !== 4) {
          this.out += `Error: length ${len} != 4`;
          return;
        }
        const c = this.u32(d);
        this.out += `Error cause ${c}: ${ERROR_CAUSES.get(c) ?? `Error-Cause ${c} not known`}`;
        return;
      }
    }
  }

  eap(cp: number, length: number): void {
    const type = this.u8(cp);
    const len = this.u16(cp + 2);
    if (len !== length) {
      this.out += 'EAP fragment?';
      return;
    }
    this.out += `${EAP_CODES.get(type) ?? 'unknown'} (${type}), id ${this.u8(cp + 1)}, len ${len}`;
    if (len < 4) {
      this.out += ' (too short for EAP header)';
      return;
    }
    if (cp + len > this.end) {
      this.out += ' [|radius]';
      return;
    }
    if (type !== 1 && type !== 2) return;
    if (len < 5) {
      this.out += ' (too short for EAP request/response)';
      return;
    }
    const sub = this.p[cp + 4]!;
    this.out += `\n\t\t Type ${EAP_TYPES.get(sub) ?? 'unknown'} (${sub})`;
    const jnp = (o: number, n: number): string => {
      let s = '';
      for (let i = 0; i < n && this.p[o + i] !== 0; i++) s += printChar(this.p[o + i]!);
      return s;
    };
    switch (sub) {
      case 1:
        if (len > 5) this.out += `, Identity: ${jnp(cp + 5, len - 5)}`;
        return;
      case 2:
        if (len < 6) {
          this.out += ' (too short for EAP Notification request/response)';
          return;
        }
        this.out += `, Notification: ${jnp(cp + 5, len - 5)}`;
        return;
      case 3: {
        if (len < 6) {
          this.out += ' (too short for EAP Legacy NAK request/response)';
          return;
        }
        let sep = '';
        for (let i = 5; i < len; i++) {
          const t = this.p[cp + i]!;
          this.out += `${sep} ${EAP_TYPES.get(t) ?? 'unknown'} (${t})`;
          sep = ',';
        }
        return;
      }
      case 13:
      case 21:
      case 43: {
        if (len < 6) {
          this.out += ` (too short for EAP ${sub === 43 ? 'FAST' : 'TLS/TTLS'} request/response)`;
          return;
        }
        const f = this.p[cp + 5]!;
        if (sub === 21) this.out += ` TTLSv${f & 7}`;
        if (sub === 43) this.out += ` FASTv${f & 7}`;
        const names = EAP_TLS_FLAGS.filter(([b]) => f & b).map(([, n]) => n);
        this.out += ` flags [${names.length ? names.join(', ') : 'none'}] 0x${f.toString(16).padStart(2, '0')}`;
        if (f & 0x80) {
          if (len < 10) {
            this.out += ` (too short for EAP ${sub === 43 ? 'FAST' : 'TLS/TTLS'} request/response with length)`;
            return;
          }
          this.out += `, len ${this.u32(cp + 6)}`;
        }
        return;
      }
      case 18:
      case 23: {
        if (len < 6) {
          this.out += ' (too short for EAP SIM/AKA request/response)';
          return;
        }
        const s = this.p[cp + 5]!;
        this.out += ` subtype [${EAP_AKA_SUBTYPES.get(s) ?? 'unknown'}] 0x${s.toString(16).padStart(2, '0')}`;
        return;
      }
    }
  }
}

/**
 * RADIUS: `off` is the message, `length` its length from the UDP header, `end` the end of the
 * captured bytes. Null when an attribute is one whose printer is not reproduced.
 */
export function radiusText(p: Uint8Array, off: number, length: number, end: number, verbose: number, host4: (o: number) => string = (o) => ipv4At(p, o), host6: (o: number) => string = (o) => ipv6At(p, o)): string | null {
  if (end < off + 20) return ' [|radius]';
  let len = (p[off + 2]! << 8) | p[off + 3]!;
  if (len < 20) return ' [|radius]';
  if (len > length) len = length;
  const code = p[off]!;
  const name = COMMANDS.get(code) ?? 'Unknown Command';
  const id = p[off + 1]!.toString(16).padStart(2, '0');
  if (verbose < 1) return `RADIUS, ${name} (${code}), id: 0x${id} length: ${len}`;
  const pr = new Printer(p, end, verbose, host4, host6);
  let auth = '';
  for (let i = off + 4; i < off + 20; i++) auth += p[i]!.toString(16).padStart(2, '0');
  pr.out = `RADIUS, length: ${len}\n\t${name} (${code}), id: 0x${id}, Authenticator: ${auth}`;
  try {
    if (len > 20) pr.attrs(off + 20, len - 20);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    if (!(e instanceof Truncated)) throw e;
    pr.out += ' [|radius]';
  }
  return pr.out;
}
