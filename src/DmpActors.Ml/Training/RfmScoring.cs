using System.Diagnostics;
using System.Text.Json;
using DmpActors.Domain.Scores;
using DmpActors.Domain.Segments;

namespace DmpActors.Ml.Training;

/// <summary>The RFM cut points as a model version: fitted from the purchasers among the samples; its score is the
/// named segment's rank in <see cref="RfmModel.Segments"/> (NaN for non-purchasers), <see cref="Rfm"/> the scores.</summary>
public sealed record RfmScoring(RfmModel Model) : IScoringModel
{
    public ModelKind Kind => ModelKind.Rfm;

    public RfmScores? Rfm(FeatureSample sample) => RfmInput.Of(sample) is { } input ? Model.Score(input) : null;

    public double Score(FeatureSample sample) =>
        Rfm(sample) is { } s ? RfmModel.Segments.ToList().IndexOf(s.Segment) : double.NaN;

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(Model);

    public static RfmScoring Decode(byte[] bytes) =>
        new(JsonSerializer.Deserialize<RfmModel>(bytes) ?? throw new InvalidDataException("empty RFM model"));

    public static TrainedModel Train(IReadOnlyList<FeatureSample> samples)
    {
        var clock = Stopwatch.StartNew();
        var inputs = samples.Select(RfmInput.Of).OfType<RfmInput>().ToArray();
        var model = RfmModel.Fit(inputs);
        var metrics = new Dictionary<string, double> { ["purchasers"] = inputs.Length };
        return new TrainedModel(ModelNames.Rfm, new RfmScoring(model), metrics, inputs.Length, clock.Elapsed);
    }
}
