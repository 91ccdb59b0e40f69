#include "client/token/testing/fixed_keys.h"

#include <cstdlib>
#include <string>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace tessera::token::testing {
namespace {

// PKCS#8 of an Ed25519 key is this DER prefix and the 32-byte seed.
constexpr char kEd25519Pkcs8Prefix[] = "302e020100300506032b657004220420";
constexpr char kEdDsaSeed[] =
    "f3fb09d4594cbf70bf9a2f6c69215ee9671d16a3631f219847364b0d09221ed2";
constexpr char kEdDsaStrangerSeed[] =
    "1e11b036ea07ed6cb7b553e4a2fa0038ec7bda7c7fee93ff72ba742e8ed7ae56";

constexpr char kEs256Pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZtlhxTLFfj/lEPIB\n"
    "wd80N4nDaJyv+IFJEGC5IPK1mGKhRANCAARFL7orne7mcMrQqPmD7JUY8AwYN3Z3\n"
    "y7AdRP9kLR0r+BGKbi19aymAbwDgkk9l7Ga6YpYxLkEcyhAU2A+3UrEV\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kEs256StrangerPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpiHTUM98UKhA4nA9\n"
    "aEjo6hUw8IZhYfZaZC+TnwXKSC+hRANCAASuVOpO9/SV729sXprsrmAE8sZ5EoPA\n"
    "HDyJchjvgKnEVpc2mbwE6qF8iM8N5hgS3q3r6efoCgHxsw+0hpR+HUzS\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kRs256Pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC+KiQbgSlqZDyK\n"
    "9q922tUNc4R9X9MgE+N9YVSRctmws53Mq8zrWYMBTZydJbSFgFdNV0DjIx89FhnX\n"
    "gTtwhz3mt2bZOacIdJvBjtb1JzmEIqljlqqNHgelmgX4cGv8ek3DVhgiP3W8gI/g\n"
    "wvo1NFqBybfV5MPlOhHkcComb7lN8J913DkeSHRwNZ830wB5G4IixizhJ72Hz8hG\n"
    "a4y8oqZOT8bnnqLIvNQH70dh8fMjn1wEJnTPpz77ouBI9ZhdAiJa48FiQf01jSLd\n"
    "alSQgWReoAqiTNibXkIIsbQEP2BHKp095VnihhF/bUo+07K7SStZsyrpdNEbSPN3\n"
    "/K3qK8wPAgMBAAECggEATf6bu5owod3FxRsjYUSksHUqKH/maFgv7EtAs70e0u4A\n"
    "cSMfk4GtjRnHe96smTrH08VPLDnKBLRtWem7ts4JUfjz2nFedEXbYjpTKM5zNSJA\n"
    "RkPT5Lgl28J942U8rRt+jHjhwh40DGHQYRenJq431takqzo+LGSyVPa6GvSk1HWA\n"
    "+IXzi5SkXL3Fj4aBr2o9Zkt5mtqbes2HouRKrSiBZEYuDcSfLcQFbWBR4GTl5su/\n"
    "SCGotMdVkP71NI3eZHExcDDM/EsCnCU7PfXO+qG5s4FVK7AqAMBI9JY1FEYNNvT5\n"
    "w8wLFjXfLqihhi7uXL9IBu+gqbhKik4BRsYrFG78MQKBgQDfVIxtjkbIGuAp4sxn\n"
    "9dKeQgjYZ1NDdoIttc96D6ECvwFTYKhO08qCYGcwfGZL5D7ETwbXqOtpKYgZcPAA\n"
    "QbRgL7l7/BvdXo/SfU2wgoEjeA0eibVvgMU0vRv0+deERb/4sQBfdwS7xGWr0nsM\n"
    "i5HzTGb6ySeGYLbB4geYHkBSMQKBgQDZ+5QSbOnjN2dGW2RULdEy/4IMg6ge1Vq0\n"
    "YCltZGroNL3/cwgXN/qvFyju0VQHyR3Wlz4XmNcZYD/3StBSf2UwSTrl9ohYns3j\n"
    "7cHDdyJjmpiStCcuzvIzAbchibO6QxBIJpvQ6EAzjHgBQWJOWYeGZOl8Nvqd0K0B\n"
    "+QMZ4GoyPwKBgQC1JJnmfsFwq0PpFXlgVWZpUPxlsqE5lhUOyGoqAiVB2fVUUJET\n"
    "pvuZ9mGcVTqQEejLR6IwKGYRXUtz/0PboW+RmQQkyZ88Vefn/hSWt7PRNh3GCEJu\n"
    "146dMUpM0J17Pyvvpnm79QiU2D7zN/zwdwCBzBW3EpOJjkaOSiyIuPjI8QKBgQCG\n"
    "0fkVJFPMernfZCs7fVMEbc+rmcpjt6XwJgG5bQBKOkTBOA5q/e6IWJSykLmeTx+r\n"
    "V8PJqHhxc3xcoOMUA0M8iC5riP1vgljpfmX3VTnpzPZM1ivd4ZUfQxJXJeoJa+0o\n"
    "EukQXnVG7LxUWnJI70rJLqTSdNawwR4gODlYydok1QKBgF6uLyVTKxAm0KnDZvHx\n"
    "bw7YW+cN1yHXN/5DMT5d5NhICdf0A/RanmPsgCuP5/CdYi+HSSlfEaGJ66tK0pah\n"
    "XO9s7nwQHwkzFNpJKd3MygWMlhbBtxJR/vrnhyhsqrUJ/MFZtS7dUbf+kbMc7xtO\n"
    "UbCqo3WT99Dgf+HoyphZ/HAO\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kRs256StrangerPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCKvw/i/OSspWan\n"
    "LtS+6pT0bDIdCb1/kgMgaAzbmCqodPMxetSfXPW3OnMqERPQxMqxc/+AReQfNt0R\n"
    "XJPncwf3IZ+Bv5aTj+7xnUBVNsZmSDw8/ve3XJwpeQBHebzPIaJmM7aqYgTSqPx0\n"
    "8PCK3Wtea2Dg5DnN14ouvH03eTs6Vtm5tN9OF9f7iJjWxD0UR8XOcXLqCQx05o3n\n"
    "RhToULuAF+oikprBNFmUqWm7kpPqbxQbkcF4iv9k4aA5FtvH8quBcr3kgkiXfrWm\n"
    "cKuoupXLLYf52w0N8ptNoazO8DFjb9OQxjaAT1pEQSV8LkykKo+oRPa61O4q9r6w\n"
    "/CLkLYmNAgMBAAECggEAC1OsQhlnuMF7Byh/VUO029xuXekC56R9rVpZPF8okl6T\n"
    "0QUIUSdHZwk2SCejQL6kFocUA36RMEwsEYQHjhRZwN7llPPVYOAV/3MZQqupWEXK\n"
    "5ybghb9hf1BBydQCKj3CcooDvlaosqL5kzltRcTsREXLX6i6IFgZj5WzOkFjKLC6\n"
    "JsZuXTQ3MFu2jXF0Sd8qJlN2u3z8d9qyKDif+aXgXDw09znfVuB59sWSbW2ca8ST\n"
    "JZlwwOi6DT70/BuPayMSV2JdCKIeoKMrgDk7UjvDSgGzQN2MN1yjn4QO2vJoKT0y\n"
    "dkOEQpgcRHxbFIe65YWNsPSkUXGgvobaNipI3JS8KQKBgQDBel++/bnPECfGoU6M\n"
    "mN4misuprNAO4ScmJqL5JpC/UZgxgHPLHmt+J2Xdcrjjkz6z/DIpzhffvudFcK8E\n"
    "ZYKAFegUpziUOtkSA546BXlnPHkvleaIRY/K/+ES2g0OVQ5SYJ5l+XaDYg+J+CUV\n"
    "yp1D1OLn/Qv9/BDLMHLCZ+PqhQKBgQC3lPcGqSt58gWXPYimbikudmWtuoz0TV32\n"
    "OXz/98cXFDcN15xHKSnIBkHBkEYh0YZvQhhXbMAW4af/LJ8g9CYBgdRBbs2xgKyq\n"
    "kTDYqBhg0jHmB7B5frHV9FC594GhCJkYPCFs+SODXzD+h/sH3+4bXfKR7+WEvpsU\n"
    "yqpqMXLFaQKBgA2l40EmxserfRLO6CqU0f7oBYvXi+mwykEvsolexhEo4VKEnCZ0\n"
    "4+JHRzFC2XX8Og0aOjOmvRpkbg4A7+egfX8pjHCAh0Y1jIBvzuaK4lB8/JN1wIhW\n"
    "V9lbCXZ5+TfMmjEHbcUFvu1vqmbyITOTUlqplsQEnqbw9AJRTZcXGwW9AoGBAIqt\n"
    "CpWLgP4TJsoCf5FJMe6ZHWHIw+Vf9BSlhJlPMKNsb9ITB0hx/c/Neiqfs3qkberp\n"
    "gL25trkSKPeHW4VnKLaGvjHXY6YsT0JhfwaKpC+vWGYtdM+yNuAqODjikJd2iT9X\n"
    "XOCWqo74f2gmjCh8rb8ajrxS/Yvy9+8S0Px68fnRAoGBAKKjoM9HDu1p0DeRAfo5\n"
    "RrxOsZrCHNu9JhEczxxlE6BZzrkTtpcN05XluAznWx0qbiF580SnOBvavdkMn6Jj\n"
    "GLBB7wvXeUHdMCgMXJoPg3Q+UkTRTYM1tRxdryDzkN55JcOk1erJt10q3sWeMIdF\n"
    "6zL5zWehB/Gc0mKkIeGEU/we\n"
    "-----END PRIVATE KEY-----\n";

// The DER inside a PEM text: the base64 lines between BEGIN and END.
std::string PemBody(absl::string_view pem) {
  std::string base64;
  for (absl::string_view line : absl::StrSplit(pem, '\n')) {
    if (!line.empty() && line[0] != '-') absl::StrAppend(&base64, line);
  }
  std::string der;
  if (!absl::Base64Unescape(base64, &der)) {
    ABSL_RAW_LOG(FATAL, "fixed key: PEM body is not base64");
  }
  return der;
}

const PrivateKey* Load(Algorithm algorithm, const std::string& pkcs8) {
  absl::StatusOr<PrivateKey> key = PrivateKey::FromPkcs8(algorithm, pkcs8);
  if (!key.ok()) {
    ABSL_RAW_LOG(FATAL, "fixed key: %s", key.status().ToString().c_str());
  }
  return new PrivateKey(*std::move(key));  // Never destroyed.
}

const PrivateKey* Build(Algorithm algorithm, bool stranger) {
  switch (algorithm) {
    case Algorithm::kEdDSA:
      return Load(algorithm, absl::HexStringToBytes(absl::StrCat(
                                 kEd25519Pkcs8Prefix,
                                 stranger ? kEdDsaStrangerSeed : kEdDsaSeed)));
    case Algorithm::kES256:
      return Load(algorithm, PemBody(stranger ? kEs256StrangerPem : kEs256Pem));
    case Algorithm::kRS256:
      return Load(algorithm, PemBody(stranger ? kRs256StrangerPem : kRs256Pem));
  }
  std::abort();
}

const PrivateKey& ByAlgorithm(Algorithm algorithm, const PrivateKey* es256,
                              const PrivateKey* eddsa,
                              const PrivateKey* rs256) {
  switch (algorithm) {
    case Algorithm::kES256:
      return *es256;
    case Algorithm::kEdDSA:
      return *eddsa;
    case Algorithm::kRS256:
      return *rs256;
  }
  std::abort();
}

}  // namespace

const PrivateKey& FixedKey(Algorithm algorithm) {
  static const PrivateKey* const es256 = Build(Algorithm::kES256, false);
  static const PrivateKey* const eddsa = Build(Algorithm::kEdDSA, false);
  static const PrivateKey* const rs256 = Build(Algorithm::kRS256, false);
  return ByAlgorithm(algorithm, es256, eddsa, rs256);
}

const PrivateKey& StrangerKey(Algorithm algorithm) {
  static const PrivateKey* const es256 = Build(Algorithm::kES256, true);
  static const PrivateKey* const eddsa = Build(Algorithm::kEdDSA, true);
  static const PrivateKey* const rs256 = Build(Algorithm::kRS256, true);
  return ByAlgorithm(algorithm, es256, eddsa, rs256);
}

}  // namespace tessera::token::testing
