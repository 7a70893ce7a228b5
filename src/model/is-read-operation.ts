// Which operations only read: the simulator reuses their answers until a write (and a read counts as
// no change for a --state file), and hybrid mode takes nothing over from them. The IVS services name
// every read Get…, List… or BatchGet… (ivs, ivschat and ivs-realtime alike), and nothing else so.
export function isReadOperation(operation: string): boolean {
  return operation.startsWith('Get') || operation.startsWith('List') || operation.startsWith('BatchGet')
}
