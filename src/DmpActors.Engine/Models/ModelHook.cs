using Akka.Actor;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using DmpActors.Domain.Segments;

namespace DmpActors.Engine.Models;

/// <summary>
/// What a user entity does for the models, on its own thread and without a message to itself: on the first event of
/// each event-time day it samples the profile, offers the sample to the coordinator and scores it with this node's
/// registry. Other events cost one date comparison.
/// </summary>
public sealed class ModelHook(ModelRegistry registry, ProfileRules rules)
{
    private IActorRef _coordinator = ActorRefs.Nobody;

    public ModelRegistry Registry => registry;

    /// <summary>Set once the coordinator's proxy runs; until then samples are not sent.</summary>
    public void ConnectTo(IActorRef coordinator) => Volatile.Write(ref _coordinator, coordinator);

    /// <summary>The user's scores when a sample was due, else null.</summary>
    public RuleInputs? Applied(UserProfile before, UserProfile after)
    {
        if (!SampleLabels.SampleDue(before, after)) return null;
        var sample = ProfileFeatures.Sample(after, after.LastSeen!.Value, rules);
        Volatile.Read(ref _coordinator).Tell(new OfferSample(sample));
        return registry.Score(sample);
    }
}
