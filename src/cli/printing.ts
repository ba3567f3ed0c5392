/**
 * The packet printers as the command loads them: only when packets are printed (not for
 * `--count` or `-w` alone), with a dynamic `import()`, so those runs neither initialize the
 * printer modules (a third of the bundle: protocol tables, name files) nor keep their code in
 * the launcher's code cache.
 */
export { PacketPrinter, invalidHeaderText } from '../print/packet-printer.ts';
export { TimestampFormatter } from '../print/timestamp.ts';
export { packetDump } from '../print/hexdump.ts';
export { loadNameTables } from '../print/names.ts';
