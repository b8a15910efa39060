namespace DmpActors.Engine.Serialization;

/// <summary>
/// A message that may cross nodes. Akka binds this interface to <see cref="DmpSerializer"/>, so a new message
/// implements it and gets a manifest there; a test checks the two lists agree.
/// </summary>
public interface IWireMessage;
