namespace DmpActors.Engine.Tests;
