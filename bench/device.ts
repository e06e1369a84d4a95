// The one entry point bundled for the GPU machine (which has no Node.js or npm) by
// ../shared/gpu/pack.sh; docs/performance.md ("On the GPU machine") gives the commands.
// Usage there: bash .gpu/run.sh mnist|heads|networks|conv [options of that program]
const PROGRAMS = ['mnist', 'heads', 'networks', 'conv'] as const;
const [command, ...rest] = process.argv.slice(2);
if (!(PROGRAMS as readonly string[]).includes(command ?? '')) {
  console.error(`usage: device.ts ${PROGRAMS.join('|')} [options]; got ${command ?? 'nothing'}.`);
  process.exit(2);
}
// Each program parses process.argv.slice(2): hand it its own options.
process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
if (command === 'mnist') await import('../examples/mnist/main.js');
else if (command === 'heads') await import('./heads.js');
else if (command === 'networks') await import('./networks.js');
else await import('./conv_gradients.js');
// Dawn's native handles can keep Node alive after the work is done.
process.exit(process.exitCode ?? 0);
