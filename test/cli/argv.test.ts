/**
 * argv pre-processing (src/cli/argv.ts) and option parsing (parseTcpdumpArgs): getopt-style
 * clusters as tcpdump users type them, counted repeats, values glued to their letter, and the
 * expression as the remaining words.
 */
import { describe, expect, it } from 'vitest';
import { expandArgv } from '../../src/cli/argv.ts';
import { parseTcpdumpArgs, type TcpdumpOptions } from '../../src/cli/tcpdump-command.ts';
import { UserError } from '../../src/errors.ts';

function parse(argv: string[]): TcpdumpOptions {
  const r = parseTcpdumpArgs(argv);
  if ('text' in r) throw new Error('unexpected help/version');
  return r;
}

describe('expandArgv', () => {
  it('splits clusters into one token per letter', () => {
    expect(expandArgv(['-nnq'])).toEqual(['-n', '-n', '-q']);
    expect(expandArgv(['-ddd'])).toEqual(['-d', '-d', '-d']);
    expect(expandArgv(['-XX', '-tttt'])).toEqual(['-X', '-X', '-t', '-t', '-t', '-t']);
    expect(expandArgv(['-#q'])).toEqual(['-#', '-q']);
  });
  it('ends a cluster at a letter that takes a value', () => {
    expect(expandArgv(['-nnr', 'f.pcap', 'tcp'])).toEqual(['-n', '-n', '-r', 'f.pcap', 'tcp']);
    expect(expandArgv(['-nnrf.pcap'])).toEqual(['-n', '-n', '-r', 'f.pcap']);
    expect(expandArgv(['-c5'])).toEqual(['-c', '5']);
    expect(expandArgv(['-r', '-', '-w', '-'])).toEqual(['-r', '-', '-w', '-']);
  });
  it('leaves long options, their values, words and everything after -- alone', () => {
    expect(expandArgv(['--count', '--skip', '-1', 'port', '80'])).toEqual(['--count', '--skip', '-1', 'port', '80']);
    expect(expandArgv(['--time-stamp-precision=nano'])).toEqual(['--time-stamp-precision=nano']);
    expect(expandArgv(['-n', '--', '-nn'])).toEqual(['-n', '--', '-nn']);
  });
});

describe('parseTcpdumpArgs', () => {
  it('counts repeated letters', () => {
    const o = parse(['-nnqr', 'x.pcap', '-tttt', '-XX', '-ddd']);
    expect(o.numeric).toBe(2);
    expect(o.quiet).toBe(true);
    expect(o.readFile).toBe('x.pcap');
    expect(o.timestampLevel).toBe(4);
    expect(o.hexAscii).toBe(2);
    expect(o.dumpProgram).toBe(3);
  });
  it('joins the remaining words into the expression', () => {
    expect(parse(['-r', 'f', 'tcp', 'port', '80', 'and', 'not', 'host', '10.0.0.1']).expression).toBe('tcp port 80 and not host 10.0.0.1');
    // Options after the expression are still options (GNU getopt permutes argv too).
    const o = parse(['udp', '-n', 'port', '53']);
    expect(o.expression).toBe('udp port 53');
    expect(o.numeric).toBe(1);
  });
  it('reads the long options', () => {
    const o = parse(['--count', '--skip', '3', '--time-stamp-precision', 'nano', '--print', '--pcapng', '--reader', 'pcap-parser', '--program', 'p.txt', '-c', '10', '-#', '-s', '0', '-y', 'RAW', '-O', '-e', '-l', '-U', '-S', '-A']);
    expect(o).toMatchObject({
      countOnly: true, skip: 3, precision: 'nano', printWithWrite: true, pcapng: true, reader: 'pcap-parser',
      programFile: 'p.txt', count: 10, packetNumber: true, snaplen: 262144, linkType: 101, optimize: false,
      linkHeader: true, lineBuffered: true, packetBuffered: true, absoluteSeq: true, ascii: 1,
    });
  });
  it('rejects bad values with stable codes and tcpdump wording', () => {
    const code = (argv: string[]): string => {
      try {
        parseTcpdumpArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return `${(e as UserError).code}: ${(e as UserError).message}`;
      }
      return 'no error';
    };
    expect(code(['-c', 'abc'])).toBe('CLI_BAD_COUNT: invalid packet count abc');
    expect(code(['-c', '0'])).toBe('CLI_BAD_COUNT: invalid packet count 0');
    expect(code(['-s', '-5'])).toMatch(/^CLI_BAD_SNAPLEN/);
    expect(code(['-y', 'FOO'])).toBe('CLI_BAD_LINKTYPE: invalid data link type FOO');
    expect(code(['-Z'])).toMatch(/^CLI_USAGE: unknown option '-Z'/);
    expect(code(['-r'])).toMatch(/^CLI_USAGE: option '-r <file>' argument missing/);
    expect(code(['--time-stamp-precision', 'pico'])).toMatch(/^CLI_USAGE: .*pico/);
    expect(code(['--skip', 'x'])).toBe('CLI_BAD_SKIP: invalid skip count x');
  });
  it('answers --help and --version with text', () => {
    expect(parseTcpdumpArgs(['--help'])).toMatchObject({ text: expect.stringContaining('--program <file>') });
    expect(parseTcpdumpArgs(['--version'])).toMatchObject({ text: expect.stringMatching(/^tsdump version/) });
  });
});
