// Each test class starts a host process and a browser: one at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
