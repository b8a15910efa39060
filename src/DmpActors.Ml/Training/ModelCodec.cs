using System.Text.Json;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Clustering;
using DmpActors.Ml.Clv;
using DmpActors.Ml.Propensity;

namespace DmpActors.Ml.Training;

/// <summary>Models to and from their stored form: JSON for clusters and RFM; for the tree models a JSON envelope
/// holding the layout's vocabulary and ML.NET's saved model.</summary>
public static class ModelCodec
{
    public static byte[] Encode(IScoringModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Encode();
    }

    public static IScoringModel Decode(ModelKind kind, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        switch (kind)
        {
            case ModelKind.Clusters:
                return ClusterModel.Decode(bytes);
            case ModelKind.Rfm:
                return RfmScoring.Decode(bytes);
            case ModelKind.Ctr:
                return Ctr.CtrModel.Decode(bytes);
        }

        var stored = JsonSerializer.Deserialize<StoredMlModel>(bytes) ?? throw new InvalidDataException("empty model");
        if (stored.Kind != kind) throw new InvalidDataException($"a {stored.Kind} model is not a {kind} model");
        var layout = new FeatureLayout(stored.Categories);
        return kind == ModelKind.Clv ? new ClvModel(layout, stored.Model) : new BinaryModel(kind, layout, stored.Model);
    }
}
