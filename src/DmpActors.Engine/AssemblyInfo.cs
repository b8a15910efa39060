namespace DmpActors.Engine;
