#!/usr/bin/env bats
# scripts/passphrase.sh: the example passphrase only for the example and lab stacks; any other
# stack that needs a passphrase and has none fails before pulumi runs. Run in a scratch git repo
# with stack files, a stub `pulumi` that answers `stack --show-name` with the selected stack.

setup() {
  REPO=$BATS_TEST_TMPDIR/repo
  mkdir -p "$REPO" "$BATS_TEST_TMPDIR/bin"
  cd "$REPO"
  git init -q .
  printf 'config: {}\nencryptionsalt: v1:abc\n' >Pulumi.seed001.yaml
  git add Pulumi.seed001.yaml
  printf 'config: {}\n' >Pulumi.seed002.yaml # not committed
  printf 'config: {}\nencryptionsalt: v1:abc\n' >Pulumi.prod.yaml
  printf 'secretsprovider: "awskms://alias/kubeha"\nconfig: {}\n' >Pulumi.kms.yaml
  printf 'secretsprovider: passphrase\nconfig: {}\n' >Pulumi.explicit.yaml
  cat >"$BATS_TEST_TMPDIR/bin/pulumi" <<'STUB'
#!/usr/bin/env bash
[[ "$*" == "stack --show-name --non-interactive" && -f $SELECTED ]] && { cat "$SELECTED"; exit 0; }
echo "error: no stack selected" >&2
exit 255
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/pulumi"
  export PATH="$BATS_TEST_TMPDIR/bin:$PATH" SELECTED=$BATS_TEST_TMPDIR/selected
  export PULUMI_BACKEND_URL="file://$BATS_TEST_TMPDIR/state"
  unset PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE
}

# decide ARGS...: args_passphrase for pulumi ARGS, then the passphrase pulumi would get.
decide() { run bash -c 'source "$0"; args_passphrase "$@" || exit 1; echo "passphrase=${PULUMI_CONFIG_PASSPHRASE-unset}"' "$BATS_TEST_DIRNAME/../../scripts/passphrase.sh" "$@"; }

select_stack() { echo "$1" >"$SELECTED"; }

@test "the example and lab stacks get the example passphrase when none is set" {
  for stack in dev lab lab-t lab-g organization/kubeha/dev seed001; do
    decide preview --stack "$stack"
    [ "$status" -eq 0 ]
    [ "$output" = "passphrase=kubeha-example" ]
  done
}

@test "an example stack keeps a passphrase that is set" {
  PULUMI_CONFIG_PASSPHRASE=mine decide up --stack lab
  [ "$output" = "passphrase=mine" ]
  PULUMI_CONFIG_PASSPHRASE_FILE=/some/file decide up --stack dev
  [ "$output" = "passphrase=unset" ]
}

@test "another stack without a passphrase fails before pulumi, saying how to set one" {
  for stack in prod seed002 lab-toolong lab2 development explicit; do
    decide up --stack "$stack"
    [ "$status" -eq 1 ]
    [[ $output == *"[kubeha] stack $stack: its secrets are encrypted with a passphrase, and none is set"* ]]
    [[ $output == *"Fix: set PULUMI_CONFIG_PASSPHRASE"*"or PULUMI_CONFIG_PASSPHRASE_FILE="*"--secrets-provider="* ]]
    [[ $output != *passphrase=* ]]
  done
}

@test "another stack runs with its own passphrase, from the variable or a file" {
  PULUMI_CONFIG_PASSPHRASE=s3cret decide up --stack prod
  [ "$status" -eq 0 ]
  [ "$output" = "passphrase=s3cret" ]
  PULUMI_CONFIG_PASSPHRASE_FILE=/run/secrets/pp decide up --stack prod
  [ "$status" -eq 0 ]
  [ "$output" = "passphrase=unset" ]
}

@test "another stack is refused the example passphrase even when it is set" {
  PULUMI_CONFIG_PASSPHRASE=kubeha-example decide up --stack prod
  [ "$status" -eq 1 ]
  [[ $output == *"PULUMI_CONFIG_PASSPHRASE is the published example passphrase"* ]]
}

@test "a stack whose file names another secrets provider needs no passphrase" {
  decide up --stack kms
  [ "$status" -eq 0 ]
  [ "$output" = "passphrase=unset" ]
}

@test "stack init: the secrets provider given decides, and the new stack's name is the positional one" {
  decide stack init prod2 --secrets-provider=awskms://alias/x
  [ "$status" -eq 0 ]
  decide stack init --secrets-provider passphrase prod2
  [ "$status" -eq 1 ]
  [[ $output == *"stack prod2:"* ]]
  decide stack init prod2
  [ "$status" -eq 1 ]
  decide stack select lab --create
  [ "$output" = "passphrase=kubeha-example" ]
}

@test "on Pulumi Cloud a stack with no passphrase salt needs none; one with a salt still does" {
  PULUMI_BACKEND_URL=https://api.pulumi.com decide up --stack cloudy
  [ "$status" -eq 0 ]
  PULUMI_BACKEND_URL=https://api.pulumi.com decide up --stack prod
  [ "$status" -eq 1 ]
}

@test "without --stack, the selected stack decides" {
  select_stack prod
  decide up
  [ "$status" -eq 1 ]
  [[ $output == *"stack prod:"* ]]
  select_stack organization/kubeha/dev
  decide preview
  [ "$output" = "passphrase=kubeha-example" ]
}

@test "commands that need no stack are left alone, whichever stack is selected" {
  select_stack prod
  for args in "version" "plugin ls --json" "stack ls" "login file:///tmp/x" "whoami" "up --help"; do
    # shellcheck disable=SC2086 # words on purpose
    decide $args
    [ "$status" -eq 0 ]
    [ "$output" = "passphrase=unset" ]
  done
}

@test "no stack named and none selected: nothing to decide, pulumi says what it needs" {
  decide up
  [ "$status" -eq 0 ]
  [ "$output" = "passphrase=unset" ]
}
