// Placeholder until the benchmark issue lands: says so plainly instead of pretending to measure.
console.error('certflow: `npm run bench` is not built yet (see the benchmarks issue). Nothing was measured.');
process.exit(1);
