using System.IO.Hashing;
using System.Text;
using DmpActors.Domain.Scores;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace DmpActors.Ml.Training;

/// <summary>One row as ML.NET reads it: the laid-out features and the targets.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
    public bool Label { get; set; }
    public float Value { get; set; }
}

internal sealed class ProbabilityOutput
{
    public float Probability { get; set; }
}

internal sealed class ScoreOutput
{
    public float Score { get; set; }
}

internal static class MlRows
{
    /// <summary>Share of users held out of training to measure a model (by a hash of the user id, so a user's rows
    /// are all on one side and every run splits the same way).</summary>
    public const double HoldoutShare = 0.2;

    public static bool InHoldout(string userId) =>
        XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(userId)) % 1000 < HoldoutShare * 1000;

    public static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    public static IDataView Load(MLContext ml, IEnumerable<FeatureRow> rows, int width) =>
        ml.Data.LoadFromEnumerable(rows, Schema(width));

    public static FeatureRow Row(FeatureLayout layout, TrainingRow row) => new()
    {
        Features = layout.Vectorize(row.Features),
        Label = false,
        Value = row.Labels.Revenue,
    };

    /// <summary>The rows of <paramref name="rows"/> split into training and holdout by user.</summary>
    public static (List<TrainingRow> Train, List<TrainingRow> Test) Split(IReadOnlyList<TrainingRow> rows)
    {
        var train = new List<TrainingRow>();
        var test = new List<TrainingRow>();
        foreach (var r in rows) (InHoldout(r.Features.UserId) ? test : train).Add(r);
        return (train, test);
    }

    /// <summary>At most <paramref name="max"/> items, evenly spaced through the list (deterministic).</summary>
    public static IReadOnlyList<T> Thin<T>(IReadOnlyList<T> items, int max)
    {
        if (items.Count <= max) return items;
        var step = (double)items.Count / max;
        var result = new T[max];
        for (var i = 0; i < max; i++) result[i] = items[(int)(i * step)];
        return result;
    }

    /// <summary>The shared boosting settings on a FastTree trainer's options.</summary>
    public static T Boosted<T>(T options, BoostingOptions o, string label) where T : BoostedTreeOptions
    {
        options.FeatureColumnName = nameof(FeatureRow.Features);
        options.LabelColumnName = label;
        options.NumberOfTrees = o.Trees;
        options.NumberOfLeaves = o.Leaves;
        options.MinimumExampleCountPerLeaf = o.MinRowsPerLeaf;
        options.LearningRate = o.LearningRate;
        return options;
    }

    public static byte[] Save(MLContext ml, ITransformer model, int width)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, Load(ml, [], width).Schema, stream);
        return stream.ToArray();
    }

    public static ITransformer Restore(MLContext ml, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return ml.Model.Load(stream, out _);
    }
}
