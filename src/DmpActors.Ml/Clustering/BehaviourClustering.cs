using System.Diagnostics;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace DmpActors.Ml.Clustering;

/// <summary>How behavioural clusters are trained.</summary>
/// <param name="MinK">Smallest number of clusters tried.</param>
/// <param name="MaxK">Largest number of clusters tried.</param>
/// <param name="SelectionRows">Rows each candidate k is trained on while choosing k.</param>
/// <param name="SilhouetteRows">Rows the silhouette of each candidate is measured on (exact, quadratic).</param>
/// <param name="MaxRows">Rows the final model is trained on, at most.</param>
public sealed record ClusterOptions(int MinK = 2, int MaxK = 8, int SelectionRows = 20_000, int SilhouetteRows = 1_500, int MaxRows = 200_000, int Seed = 1);

/// <summary>
/// ML.NET KMeans (k-means++ initialisation) in the <see cref="BehaviourSpace"/>, with k chosen as the candidate in
/// [MinK, MaxK] whose clustering of a sample has the highest mean silhouette; the chosen k is then trained on up to
/// MaxRows rows.
/// </summary>
public static class BehaviourClustering
{
    public static TrainedModel Train(IReadOnlyList<FeatureSample> samples, ClusterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var o = options ?? new ClusterOptions();
        if (samples.Count < o.MinK * 2) throw new ArgumentException($"{samples.Count} samples are too few to cluster", nameof(samples));
        var clock = Stopwatch.StartNew();
        var space = BehaviourSpace.Fit(MlRows.Thin(samples, o.SelectionRows));
        var points = samples.Select(space.Project).ToArray();
        var selection = MlRows.Thin(points, o.SelectionRows);
        var probe = MlRows.Thin(points, o.SilhouetteRows);
        var ml = new MLContext(o.Seed);

        var byK = new Dictionary<int, double>();
        var bestK = o.MinK;
        float[][]? bestCentroids = null;
        // KMeans cannot place more centroids than there are distinct points (few users, or users who all look alike).
        var distinct = selection.Select(p => string.Join(',', p)).Distinct(StringComparer.Ordinal).Count();
        if (distinct < o.MinK) throw new ArgumentException($"{distinct} distinct behaviours are too few for {o.MinK} clusters", nameof(samples));
        for (var k = o.MinK; k <= Math.Min(Math.Min(o.MaxK, selection.Count - 1), distinct); k++)
        {
            var centroids = Fit(ml, selection, space.Dimensions, k);
            var model = new ClusterModel(space, centroids);
            byK[k] = Silhouette.Of(probe, probe.Select(model.Nearest).ToArray(), k);
            if (bestCentroids is null || byK[k] > byK[bestK]) (bestK, bestCentroids) = (k, centroids);
        }

        var training = MlRows.Thin(points, o.MaxRows);
        var final = new ClusterModel(space, training.Count > selection.Count ? Fit(ml, training, space.Dimensions, bestK) : bestCentroids!);
        var metrics = new Dictionary<string, double>
        {
            ["k"] = bestK,
            ["silhouette"] = Silhouette.Of(probe, probe.Select(final.Nearest).ToArray(), bestK),
        };
        foreach (var (k, s) in byK) metrics[$"silhouette_k{k}"] = s;
        return new TrainedModel(ModelNames.Behaviour, final, metrics, training.Count, clock.Elapsed);
    }

    internal static float[][] Fit(MLContext ml, IReadOnlyList<float[]> points, int width, int k)
    {
        var data = MlRows.Load(ml, points.Select(p => new FeatureRow { Features = p }), width);
        var trainer = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = nameof(FeatureRow.Features),
            NumberOfClusters = k,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            MaximumNumberOfIterations = 100,
        });
        var parameters = trainer.Fit(data).Model;
        VBuffer<float>[] centroids = [];
        parameters.GetClusterCentroids(ref centroids, out var n);
        return [.. centroids.Take(n).Select(c => c.DenseValues().ToArray())];
    }
}
