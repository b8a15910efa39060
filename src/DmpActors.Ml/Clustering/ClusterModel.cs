using System.Text.Json;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;

namespace DmpActors.Ml.Clustering;

/// <summary>Behavioural clusters: a user belongs to the cluster whose centroid is nearest in <see cref="Space"/>.
/// Scoring is a nearest-centroid search over plain arrays (no ML.NET at scoring time).</summary>
public sealed record ClusterModel(BehaviourSpace Space, float[][] Centroids) : IScoringModel
{
    public ModelKind Kind => ModelKind.Clusters;

    public int K => Centroids.Length;

    public int Assign(FeatureSample sample) => Nearest(Space.Project(sample));

    public int Nearest(float[] point)
    {
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < Centroids.Length; c++)
        {
            var d = Silhouette.Distance(point, Centroids[c]);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }

        return best;
    }

    public double Score(FeatureSample sample) => Assign(sample);

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static ClusterModel Decode(byte[] bytes) =>
        JsonSerializer.Deserialize<ClusterModel>(bytes) ?? throw new InvalidDataException("empty cluster model");
}
