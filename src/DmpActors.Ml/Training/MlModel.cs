using System.Text.Json;
using DmpActors.Domain.Scores;
using Microsoft.ML;

namespace DmpActors.Ml.Training;

/// <summary>
/// An ML.NET model over a <see cref="FeatureLayout"/>: the saved transformer travels as bytes beside the layout;
/// each scoring thread gets its own prediction engine (ML.NET's engines are not thread-safe).
/// </summary>
internal sealed class MlModel<TOutput> : IDisposable where TOutput : class, new()
{
    private readonly ThreadLocal<PredictionEngine<FeatureRow, TOutput>> _engines;

    public MlModel(FeatureLayout layout, byte[] bytes)
    {
        Layout = layout;
        Bytes = bytes;
        var ml = new MLContext();
        var transformer = MlRows.Restore(ml, bytes);
        var schema = MlRows.Schema(layout.Count);
        _engines = new ThreadLocal<PredictionEngine<FeatureRow, TOutput>>(
            () => ml.Model.CreatePredictionEngine<FeatureRow, TOutput>(transformer, inputSchemaDefinition: schema));
    }

    public FeatureLayout Layout { get; }
    public byte[] Bytes { get; }

    public TOutput Predict(FeatureSample sample) => _engines.Value!.Predict(new FeatureRow { Features = Layout.Vectorize(sample) });

    public byte[] Encode(ModelKind kind) => JsonSerializer.SerializeToUtf8Bytes(new StoredMlModel(kind, Layout.Categories.ToArray(), Bytes));

    public void Dispose() => _engines.Dispose();
}

internal sealed record StoredMlModel(ModelKind Kind, string[] Categories, byte[] Model);
