// Fault scenarios measure recovery times: they run one at a time so they do not compete for the cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
