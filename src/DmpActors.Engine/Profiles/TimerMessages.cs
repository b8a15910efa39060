namespace DmpActors.Engine.Profiles;

/// <summary>The store's due-time index says a timer of this user is due (<see cref="Timers.TimerService"/>): the entity
/// loads the profile if it is not live, runs every timer due by the profile clock, and answers
/// <see cref="TimersFired"/> once what they changed is durable and its segment changes are acknowledged by Kafka.</summary>
public sealed record FireTimers(string UserId) : IUserCommand;

/// <param name="Fired">How many timers ran.</param>
/// <param name="Changes">How many memberships they changed.</param>
public sealed record TimersFired(string UserId, int Fired, int Changes) : Serialization.IWireMessage;
