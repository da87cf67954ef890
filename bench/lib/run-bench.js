/** Runs a benchmark's main function and exits with its outcome (benchmarks hold servers open by design). */
function runBench(main) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

module.exports = { runBench };
