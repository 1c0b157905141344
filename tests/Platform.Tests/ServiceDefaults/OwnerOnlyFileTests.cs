using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Tests.ServiceDefaults;

public sealed class OwnerOnlyFileTests
{
    [Fact]
    public void A_secret_is_created_once_readable_by_its_owner_only_and_read_back_afterwards()
    {
        var folder = Directory.CreateTempSubdirectory("owner-only-").FullName;
        try
        {
            var path = Path.Combine(folder, "data", "key");
            var calls = 0;
            string Create() => $"secret-{++calls}";

            Assert.Equal("secret-1", OwnerOnlyFile.ReadOrCreate(path, Create));
            Assert.Equal("secret-1", OwnerOnlyFile.ReadOrCreate(path, Create));
            Assert.Equal(1, calls);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            File.WriteAllText(path, "  \n");
            Assert.Equal("secret-2", OwnerOnlyFile.ReadOrCreate(path, Create));
            Assert.Equal("secret-2", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
