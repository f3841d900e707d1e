// A DNS server on loopback (UDP, the real wire format, encoded with dns-packet) that answers a
// name with a different address each time it is asked: what a rebinding attacker's server does.
// Point the address guard at it with `useDnsServers([server.address])`.
import dgram from 'node:dgram';
import packet from 'dns-packet';

export interface RebindingDns {
  /** `127.0.0.1:port`, for `useDnsServers`. */
  address: string;
  /** A-record questions asked so far for a name. */
  asked(name: string): number;
  close(): Promise<void>;
}

/** `plan`: name → the A answers in order; the last one repeats. Other names get no answer. */
export async function startRebindingDns(plan: Record<string, string[]>): Promise<RebindingDns> {
  const asked = new Map<string, number>();
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, from) => {
    const q = packet.decode(msg);
    const question = q.questions?.[0];
    const answers: packet.Answer[] = [];
    if (question?.type === 'A' && plan[question.name]) {
      const n = asked.get(question.name) ?? 0;
      asked.set(question.name, n + 1);
      const seq = plan[question.name]!;
      answers.push({ type: 'A', name: question.name, class: 'IN', ttl: 0, data: seq[Math.min(n, seq.length - 1)]! });
    }
    const reply = packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      questions: q.questions,
      answers,
    });
    sock.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${sock.address().port}`,
    asked: (name) => asked.get(name) ?? 0,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
